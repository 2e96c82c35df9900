import "server-only";
import { processSingleton } from "@/server/core/process-slot";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { ATTEMPT_OUTCOMES, EVENT_STATUSES } from "@/lib/processing";
import { DEFAULT_KNOWN_EVENT_TYPES } from "@/lib/rxscale/event-catalogue";

/*
 * The process's Prometheus metrics. Label values come only from the closed
 * sets below — outcomes, reason codes, statuses, RxScale's documented event
 * types and "other" — never from an id, a payload or a header, so no label
 * can carry a uid or patient data and no label can grow without bound.
 */

/** How a POST to the webhook endpoint ended. */
export const INGEST_OUTCOMES = ["accepted", "duplicate", "quarantined", "rejected", "unavailable"] as const;
export type IngestOutcome = (typeof INGEST_OUTCOMES)[number];

/** A run's recorded outcome, or `lease_lost` when another claim had taken the event over. */
export const RUN_OUTCOMES = [...ATTEMPT_OUTCOMES, "lease_lost"] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(DEFAULT_KNOWN_EVENT_TYPES);

/** An event type as a label value: one of RxScale's documented types, or "other" (custom names are configurable and unbounded). */
export function eventTypeLabel(eventType: string | null | undefined): string {
  return eventType && KNOWN_EVENT_TYPES.has(eventType) ? eventType : "other";
}

const ingestQueueSources = processSingleton<Map<string, () => number>>("rxwatchIngestQueueSources", () => new Map());

/**
 * Ingest tells the metrics where to read its commit queue's length: this
 * thread's committer, and the processing thread's as it last reported it
 * (server/ingest/ingest-handoff.ts). The gauge is their sum.
 */
export function reportIngestQueueLength(committer: "this thread" | "processing thread", source: () => number): void {
  ingestQueueSources.set(committer, source);
}

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    deliveries: new Counter({
      name: "rxwatch_webhook_deliveries_total",
      help: "Webhook POSTs answered, by outcome, rejection reason (none unless rejected) and event type.",
      labelNames: ["outcome", "reason", "event_type"] as const,
      registers: [registry],
    }),
    ackSeconds: new Histogram({
      name: "rxwatch_webhook_ack_seconds",
      help: "Time from receiving a webhook POST to its answer (for 200s: after the durable commit), by outcome.",
      labelNames: ["outcome"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    runs: new Counter({
      name: "rxwatch_processing_attempts_total",
      help: "Handler runs finished by this instance's worker, by outcome and event type.",
      labelNames: ["outcome", "event_type"] as const,
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: "rxwatch_dead_letters_total",
      help: "Events this instance's worker dead-lettered (gave up on), by event type.",
      labelNames: ["event_type"] as const,
      registers: [registry],
    }),
    processingThreadRestarts: new Counter({
      name: "rxwatch_processing_thread_restarts_total",
      help: "Times this instance's processing thread ended without being asked and was started again.",
      registers: [registry],
    }),
    sseClients: new Gauge({
      name: "rxwatch_sse_clients",
      help: "Live-update (server-sent events) streams open on this instance.",
      registers: [registry],
    }),
    ingestQueue: new Gauge({
      name: "rxwatch_ingest_commit_queue",
      help: "Deliveries waiting for a group-commit transaction on this instance.",
      registers: [registry],
      // Read at scrape time from whatever ingest registered, so the metrics code needs no import of ingest.
      collect() {
        this.set([...ingestQueueSources.values()].reduce((sum, source) => sum + source(), 0));
      },
    }),
    inboxEvents: new Gauge({
      name: "rxwatch_inbox_events",
      help: "Events in the inbox by status (database-wide; processed events are not counted).",
      labelNames: ["status"] as const,
      registers: [registry],
    }),
    inboxLagSeconds: new Gauge({
      name: "rxwatch_inbox_lag_seconds",
      help: "Age of the oldest event that is due and not yet processed (pending, or failed with its retry due); 0 when none is waiting.",
      registers: [registry],
    }),
    deadLetterEvents: new Gauge({
      name: "rxwatch_dead_letter_events",
      help: "Dead-lettered events in the database, waiting for someone to look at them.",
      registers: [registry],
    }),
    databaseUp: new Gauge({
      name: "rxwatch_database_up",
      help: "1 when the scrape could read the database, 0 when it could not (the database gauges then keep their last values).",
      registers: [registry],
    }),
    poolConnections: new Gauge({
      name: "rxwatch_db_pool_connections",
      help: "PostgreSQL pool connections of this instance by state (total, idle, waiting clients). Absent on SQLite, which uses one in-process connection.",
      labelNames: ["state"] as const,
      registers: [registry],
    }),
    shuttingDown: new Gauge({
      name: "rxwatch_shutting_down",
      help: "1 while this instance is draining for a shutdown.",
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Inbox statuses reported by rxwatch_inbox_events. */
export const GAUGED_STATUSES = EVENT_STATUSES.filter((status) => status !== "processed");

// One per process (see server/core/process-slot.ts): one registry per process, shared by every route bundle and surviving hot reload
// (registering a metric name twice would throw).

/** The process's metrics. */
export function metrics(): Metrics {
  return processSingleton<Metrics>("rxwatchMetrics", () => createMetrics());
}
