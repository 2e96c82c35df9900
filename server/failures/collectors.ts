import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import { stageSchema } from "@/lib/lifecycle";
import { REJECTION_CODES, type RejectionCode } from "@/lib/rxscale/deliveries";
import { parseWebhookEnvelope } from "@/lib/rxscale/envelope";
import type { Counted, FailureEvidence, FailureKind, ReplayFilter } from "@/lib/failures";
import type { FailureDetectionSettings } from "@/lib/settings";
import { env } from "@/server/core/env";
import { loadSignatureCandidates } from "@/server/signing-secrets/signing-secrets";
import {
  duplicateDeliveriesOf,
  failingAttemptSpans,
  failingEventGroups,
  findEventTypesAndStatuses,
  flaggedDeliveries,
  heavilyDuplicatedEvents,
  lastVerifiedDeliveryBefore,
  latestDeliveryAt,
  latestEventByType,
  recentRejections,
  rejectionsByReason,
  sampleFailingEvents,
  stuckOrdersByStage,
  verifiedDeliveriesByType,
  eventCountsInHours,
} from "@/server/repositories/failures";
import { findQuietTypes, quietWindows } from "@/lib/subscription-health";
import { readSubscriptionHealth } from "@/server/subscriptions/health";
import { droppedRejectionsSince } from "@/server/repositories/rejected-tally";
import { findLatestFinishedSweep } from "@/server/repositories/reconciliation";
import { WEBHOOKS_MISSED_THRESHOLD } from "@/lib/reconciliation";

/*
 * One collector per kind of failure group. A collector answers "which groups
 * of this kind have occurrences at or after `since`, how many, when, and what
 * points to their cause". Occurrence kinds (rejections, flags, storms) count
 * what happened since the episode began; condition kinds (processing, stuck
 * orders, silence) report what holds now.
 */

/** What a collector found about one group. */
export interface Found {
  key: string;
  kind: FailureKind;
  count: number;
  first: Date;
  last: Date;
  /**
   * The newest occurrence that may reopen a resolved incident: the last
   * rejection, the last failing run, the latest order to become stuck, the
   * moment silence began.
   */
  reopenMarker: Date;
  /** Still happening: an occurrence within the quiet period, or the condition holds. */
  isActive: boolean;
  evidence: () => Promise<FailureEvidence>;
  replay: ReplayFilter | null;
}

export interface CollectContext {
  now: Date;
  settings: FailureDetectionSettings;
  expectedTypes: readonly string[];
}

/** Rows read for evidence: enough to see a pattern, bounded so a storm of refusals cannot slow a scan down. */
const EVIDENCE_ROWS = 500;
const ENVELOPE_BODIES = 50;
const FLAG_ROWS = 20_000;
const STORM_CANDIDATES = 200;

export const SIGNATURE_REASONS = ["missing_signature", "malformed_signature", "bad_signature"] as const;
type SignatureReason = (typeof SIGNATURE_REASONS)[number];
type PayloadReason = Exclude<RejectionCode, SignatureReason>;

function isSignatureReason(code: string): code is SignatureReason {
  return (SIGNATURE_REASONS as readonly string[]).includes(code);
}

function isRejectionCode(code: string): code is RejectionCode {
  return (REJECTION_CODES as readonly string[]).includes(code);
}

export function processingKey(eventType: string, error: string): string {
  return `processing:${eventType}:${createHash("sha256").update(error).digest("hex").slice(0, 12)}`;
}

/** Counts values, most frequent first (ties by value), keeping the top `limit`. */
export function tally(values: Iterable<string>, limit = 5): Counted[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, limit)
    .map(([value, count]) => ({ value, count }));
}

const headersSchema = z.record(z.string(), z.string()).catch({});

function headersOf(stored: string): Record<string, string> {
  try {
    return headersSchema.parse(JSON.parse(stored));
  } catch {
    return {};
  }
}

/** The shape of a malformed signature header: enough to tell a prefix from truncation, without repeating it. */
export function signatureShape(value: string | undefined): string {
  const trimmed = (value ?? "").trim();
  if (trimmed === "") return "empty";
  if (/^[a-z0-9_-]{1,20}=/i.test(trimmed)) return "prefixed";
  if (/^[0-9a-f]+$/i.test(trimmed)) return "wrong_length";
  return "not_hex";
}

function isActiveSince(last: Date, context: CollectContext): boolean {
  return context.now.getTime() - last.getTime() < context.settings.autoResolveQuietMinutes * 60_000;
}

/** Rejected deliveries, one group per reason: signature reasons as `signature`, the rest as `payload`. */
export async function collectRejections(since: Date, context: CollectContext): Promise<Map<string, Found>> {
  const found = new Map<string, Found>();
  for (const stats of await rejectionsByReason(since)) {
    const reason = stats.key;
    if (!isRejectionCode(reason)) continue;
    const kind = isSignatureReason(reason) ? "signature" : "payload";
    const key = `${kind}:${reason}`;
    found.set(key, {
      key,
      kind,
      count: stats.count,
      first: stats.first,
      last: stats.last,
      reopenMarker: stats.last,
      isActive: isActiveSince(stats.last, context),
      evidence: () => (isSignatureReason(reason) ? signatureEvidence(reason, since, stats.first) : payloadEvidence(reason, since)),
      replay: null,
    });
  }
  return found;
}

async function signatureEvidence(reason: SignatureReason, since: Date, first: Date): Promise<FailureEvidence> {
  const [rows, before, verifying, candidates] = await Promise.all([
    recentRejections(reason, since, EVIDENCE_ROWS, false),
    lastVerifiedDeliveryBefore(first),
    verifiedDeliveriesByType(first),
    loadSignatureCandidates(),
  ]);
  const headers = rows.map((row) => headersOf(row.headers));
  return {
    kind: "signature",
    reasonCode: reason,
    verifiedBefore: before ? { at: before.receivedAt.toISOString(), secretId: before.matchedSecretId } : null,
    verifiedSince: verifying.reduce((sum, entry) => sum + entry.count, 0),
    failingTypes: tally(rows.map((row) => row.eventTypeHeader ?? "(no header)")),
    verifyingTypes: verifying.flatMap((entry) => (entry.eventType ? [entry.eventType] : [])).sort(),
    signatureShapes: reason === "malformed_signature" ? tally(headers.map((header) => signatureShape(header["x-webhook-signature"]))) : [],
    userAgents: tally(headers.flatMap((header) => (header["user-agent"] ? [header["user-agent"].slice(0, 120)] : [])), 3),
    sourceCount: new Set(rows.map((row) => row.sourceAddress ?? "")).size,
    configuredSecrets: candidates.candidates.length,
  };
}

function envelopeProblem(body: Uint8Array | null): string | null {
  if (!body) return null;
  try {
    const result = parseWebhookEnvelope(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)));
    return result.ok ? null : `${result.field} ${result.message}`;
  } catch {
    return null;
  }
}

async function payloadEvidence(reason: PayloadReason, since: Date): Promise<FailureEvidence> {
  const rows = await recentRejections(reason, since, reason === "invalid_envelope" ? ENVELOPE_BODIES : EVIDENCE_ROWS, reason === "invalid_envelope");
  const headers = rows.map((row) => headersOf(row.headers));
  return {
    kind: "payload",
    reasonCode: reason,
    envelopeProblems: reason === "invalid_envelope" ? tally(rows.flatMap((row) => envelopeProblem("body" in row && row.body instanceof Uint8Array ? row.body : null) ?? [])) : [],
    contentTypes: tally(headers.flatMap((header) => (header["content-type"] ? [header["content-type"].slice(0, 100)] : []))),
    contentEncodings: tally(headers.flatMap((header) => (header["content-encoding"] ? [header["content-encoding"].slice(0, 60)] : []))),
    largestBodyBytes: rows.length > 0 ? Math.max(...rows.map((row) => row.bodySize)) : null,
    maxBodyBytes: env().RXWATCH_WEBHOOK_MAX_BODY_BYTES,
    userAgents: tally(headers.flatMap((header) => (header["user-agent"] ? [header["user-agent"].slice(0, 120)] : [])), 3),
  };
}

/** The one group key of requests counted but not stored beyond their source's rejected-request budget. */
export const REJECTED_OVER_BUDGET_KEY = "rejected_over_budget";

/** Requests without a valid signature beyond their source's per-minute budget (only counted): one group for every source. */
export async function collectRejectedOverBudget(since: Date, context: CollectContext): Promise<Map<string, Found>> {
  const dropped = await droppedRejectionsSince(since);
  if (dropped.droppedRequests === 0 || !dropped.firstMinute || !dropped.lastMinute) return new Map();
  const last = dropped.lastMinute;
  const found: Found = {
    key: REJECTED_OVER_BUDGET_KEY,
    kind: "rejected_over_budget",
    count: dropped.droppedRequests,
    first: dropped.firstMinute,
    last,
    reopenMarker: last,
    isActive: isActiveSince(last, context),
    evidence: async () => ({
      kind: "rejected_over_budget",
      droppedRequests: dropped.droppedRequests,
      droppedBytes: dropped.droppedBytes,
      sources: dropped.topSources.map((source) => ({ value: source.sourceAddress || "(unknown)", count: source.droppedRequests })),
      sourceCount: dropped.sourceCount,
      requestsPerMinute: env().RXWATCH_REJECTED_REQUESTS_PER_MINUTE,
      bytesPerMinute: env().RXWATCH_REJECTED_BYTES_PER_MINUTE,
    }),
    replay: null,
  };
  return new Map([[REJECTED_OVER_BUDGET_KEY, found]]);
}

/** Accepted events of types RxWatch has no handler for, and of unknown payload versions (ingest flags). */
export async function collectFlags(since: Date, context: CollectContext): Promise<Map<string, Found>> {
  const found = new Map<string, Found>();
  const [types, versions] = await Promise.all([flaggedDeliveries("unknown_event_type", since, FLAG_ROWS), flaggedDeliveries("unknown_payload_version", since, FLAG_ROWS)]);
  const byType = new Map<string, typeof types>();
  for (const row of types) {
    const type = row.event?.eventType;
    if (!type) continue;
    byType.set(type, [...(byType.get(type) ?? []), row]);
  }
  for (const [eventType, rows] of byType) {
    const times = rows.map((row) => row.receivedAt.getTime());
    const last = new Date(Math.max(...times));
    const key = `unknown_type:${eventType}`;
    const events = new Set(rows.map((row) => row.eventId)).size;
    found.set(key, {
      key,
      kind: "unknown_type",
      count: rows.length,
      first: new Date(Math.min(...times)),
      last,
      reopenMarker: last,
      isActive: isActiveSince(last, context),
      evidence: async () => ({ kind: "unknown_type", eventType, events }),
      replay: { statuses: ["processed"], eventType },
    });
  }
  const byVersion = new Map<string, typeof versions>();
  for (const row of versions) {
    const version = row.event?.payloadVersion;
    if (version === undefined) continue;
    byVersion.set(version, [...(byVersion.get(version) ?? []), row]);
  }
  for (const [payloadVersion, rows] of byVersion) {
    const times = rows.map((row) => row.receivedAt.getTime());
    const last = new Date(Math.max(...times));
    const key = `unknown_version:${payloadVersion}`;
    found.set(key, {
      key,
      kind: "unknown_version",
      count: rows.length,
      first: new Date(Math.min(...times)),
      last,
      reopenMarker: last,
      isActive: isActiveSince(last, context),
      evidence: async () => ({ kind: "unknown_version", payloadVersion, eventTypes: tally(rows.flatMap((row) => (row.event ? [row.event.eventType] : []))) }),
      replay: null,
    });
  }
  return found;
}

/** Most arrivals within any `windowMs`-long stretch of the sorted `times`. */
export function densestWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Nearest-rank percentile of `values` (0 < p ≤ 100); null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/** Events redelivered at least the storm minimum within the storm window, grouped per event type. */
export async function collectDuplicateStorms(since: Date, context: CollectContext): Promise<Map<string, Found>> {
  const { duplicateStormMinimum: minimum, duplicateStormWindowMinutes: windowMinutes } = context.settings;
  const candidates = await heavilyDuplicatedEvents(since, minimum, STORM_CANDIDATES);
  const deliveries = await duplicateDeliveriesOf(
    candidates.map((candidate) => candidate.eventId),
    since,
  );
  const byEvent = new Map<string, { times: number[]; acks: number[] }>();
  for (const delivery of deliveries) {
    if (!delivery.eventId) continue;
    const entry = byEvent.get(delivery.eventId) ?? { times: [], acks: [] };
    entry.times.push(delivery.receivedAt.getTime());
    if (delivery.ackMs !== null) entry.acks.push(delivery.ackMs);
    byEvent.set(delivery.eventId, entry);
  }
  const storms = new Map<string, { times: number[]; acks: number[]; peak: number }>();
  for (const [eventId, entry] of byEvent) {
    entry.times.sort((a, b) => a - b);
    const peak = densestWindow(entry.times, windowMinutes * 60_000);
    if (peak >= minimum) storms.set(eventId, { ...entry, peak });
  }
  const events = await findEventTypesAndStatuses([...storms.keys()]);
  const byType = new Map<string, { eventIds: string[]; statuses: string[] }>();
  for (const event of events) {
    const entry = byType.get(event.eventType) ?? { eventIds: [], statuses: [] };
    entry.eventIds.push(event.id);
    entry.statuses.push(event.status);
    byType.set(event.eventType, entry);
  }
  const found = new Map<string, Found>();
  for (const [eventType, entry] of byType) {
    const ofType = entry.eventIds.flatMap((id) => storms.get(id) ?? []);
    const times = ofType.flatMap((storm) => storm.times);
    const last = new Date(Math.max(...times));
    const key = `duplicate_storm:${eventType}`;
    found.set(key, {
      key,
      kind: "duplicate_storm",
      count: times.length,
      first: new Date(Math.min(...times)),
      last,
      reopenMarker: last,
      isActive: isActiveSince(last, context),
      evidence: async () => ({
        kind: "duplicate_storm",
        eventType,
        events: ofType.length,
        maxPerEvent: Math.max(...ofType.map((storm) => storm.peak)),
        windowMinutes,
        p95AckMs: percentile(
          ofType.flatMap((storm) => storm.acks),
          95,
        ),
        duplicatesByStatus: tally(entry.statuses),
      }),
      replay: null,
    });
  }
  return found;
}

const PERMANENT_CODES = new Set(["invalid_payload", "missing_body", "invalid_body"]);

/** Events whose handler is failing (retrying) or gave up (dead), per event type and error; a condition that clears once none is left. */
export async function collectProcessing(context: CollectContext): Promise<Map<string, Found>> {
  const [groups, spans, samples] = await Promise.all([failingEventGroups(), failingAttemptSpans(), sampleFailingEvents(500)]);
  const spanByKey = new Map(spans.map((span) => [processingKey(span.eventType, span.error), span]));
  const samplesByKey = new Map<string, string[]>();
  for (const sample of samples) {
    const key = processingKey(sample.eventType, sample.lastError ?? "");
    const list = samplesByKey.get(key) ?? [];
    if (list.length < 5) list.push(sample.id);
    samplesByKey.set(key, list);
  }
  const totals = new Map<string, { eventType: string; error: string; retrying: number; dead: number }>();
  for (const group of groups) {
    const key = processingKey(group.eventType, group.error);
    const entry = totals.get(key) ?? { eventType: group.eventType, error: group.error, retrying: 0, dead: 0 };
    if (group.status === "dead") entry.dead += group.count;
    else entry.retrying += group.count;
    totals.set(key, entry);
  }
  const found = new Map<string, Found>();
  for (const [key, entry] of totals) {
    const span = spanByKey.get(key);
    const first = span?.first ?? context.now;
    const last = span?.last ?? context.now;
    const code = entry.error.split(":")[0] ?? "";
    const statuses: ("dead" | "failed")[] = entry.retrying > 0 ? ["dead", "failed"] : ["dead"];
    found.set(key, {
      key,
      kind: "processing",
      count: entry.retrying + entry.dead,
      first,
      last,
      reopenMarker: last,
      isActive: true,
      evidence: async () => ({
        kind: "processing",
        eventType: entry.eventType,
        error: entry.error,
        retrying: entry.retrying,
        dead: entry.dead,
        isPermanent: PERMANENT_CODES.has(code),
        sampleEventIds: samplesByKey.get(key) ?? [],
      }),
      replay: { statuses, eventType: entry.eventType, ...(entry.error ? { errorContains: entry.error.slice(0, 200) } : {}) },
    });
  }
  return found;
}

/** Orders past their stage's time budget; a condition that clears once none is. */
export async function collectStuckOrders(context: CollectContext): Promise<Map<string, Found>> {
  const stuck = await stuckOrdersByStage(context.now);
  const count = stuck.byStage.reduce((sum, entry) => sum + entry.count, 0);
  if (count === 0 || !stuck.oldest || !stuck.newest) return new Map();
  const byStage = stuck.byStage.map((entry) => ({ stage: stageSchema.catch("other").parse(entry.stage), count: entry.count })).sort((a, b) => b.count - a.count);
  const oldest = stuck.oldest;
  return new Map([
    [
      "stuck_orders",
      {
        key: "stuck_orders",
        kind: "stuck_orders",
        count,
        first: oldest,
        last: stuck.newest,
        reopenMarker: stuck.newest,
        isActive: true,
        evidence: async () => ({ kind: "stuck_orders", byStage, oldestStuckSince: oldest.toISOString() }),
        replay: null,
      },
    ],
  ]);
}

/**
 * No delivery for longer than the silence window while subscriptions are
 * expected. Not judged before the first delivery ever: an instance still
 * being set up is not silent. `count` is the minutes since the last delivery.
 */
export async function collectSilence(context: CollectContext): Promise<{ found: Map<string, Found>; hasEverReceived: boolean }> {
  const lastDelivery = await latestDeliveryAt();
  if (!lastDelivery) return { found: new Map(), hasEverReceived: false };
  const windowMs = context.settings.silenceWindowMinutes * 60_000;
  const silenceStart = new Date(lastDelivery.getTime() + windowMs);
  if (context.expectedTypes.length === 0 || context.now < silenceStart) return { found: new Map(), hasEverReceived: true };
  const expected = [...context.expectedTypes];
  const found: Found = {
    key: "silence",
    kind: "silence",
    count: Math.floor((context.now.getTime() - lastDelivery.getTime()) / 60_000),
    first: silenceStart,
    last: context.now,
    reopenMarker: silenceStart,
    isActive: true,
    evidence: async () => {
      const latest = await latestEventByType(expected);
      return {
        kind: "silence",
        lastDeliveryAt: lastDelivery.toISOString(),
        windowMinutes: context.settings.silenceWindowMinutes,
        expectedTypes: expected,
        lastByType: expected.map((eventType) => ({ eventType, lastAt: latest.get(eventType)?.toISOString() ?? null })),
      };
    },
    replay: null,
  };
  return { found: new Map([["silence", found]]), hasEverReceived: true };
}

/**
 * The latest reconciliation sweep found more than WEBHOOKS_MISSED_THRESHOLD
 * orders missing or behind RxScale and not filled; a condition that clears
 * once a later sweep (or a fill) leaves no more than that.
 */
export async function collectWebhooksMissed(): Promise<Map<string, Found>> {
  const run = await findLatestFinishedSweep();
  if (!run) return new Map();
  const missed = run.missing + run.behind - run.filled;
  if (missed <= WEBHOOKS_MISSED_THRESHOLD) return new Map();
  const found: Found = {
    key: "webhooks_missed",
    kind: "webhooks_missed",
    count: missed,
    first: run.startedAt,
    last: run.finishedAt ?? run.startedAt,
    reopenMarker: run.startedAt,
    isActive: true,
    evidence: async () => ({ kind: "webhooks_missed", runId: run.id, runStartedAt: run.startedAt.toISOString(), missing: run.missing, behind: run.behind, filled: run.filled, threshold: WEBHOOKS_MISSED_THRESHOLD }),
    replay: null,
  };
  return new Map([["webhooks_missed", found]]);
}

/**
 * The differences the latest subscription health check stored
 * (server/subscriptions/health.ts), one group per problem and event type; a
 * condition that clears once a check no longer finds it. Nothing while RxScale
 * is not connected (no check result).
 */
export async function collectSubscriptionProblems(): Promise<Map<string, Found>> {
  const health = await readSubscriptionHealth();
  const found = new Map<string, Found>();
  if (!health) return found;
  const checkedAt = new Date(health.checkedAt);
  for (const difference of health.differences) {
    const key = `subscription:${difference.problem}:${difference.eventType}`;
    const since = new Date(difference.since);
    found.set(key, {
      key,
      kind: "subscription",
      count: 1,
      first: since,
      last: checkedAt,
      reopenMarker: since,
      isActive: true,
      evidence: async () => ({
        kind: "subscription",
        problem: difference.problem,
        eventType: difference.eventType,
        subscriptionUid: difference.subscriptionUid,
        listedTarget: difference.listedTarget,
        target: health.target,
        checkedAt: health.checkedAt,
        checkError: health.error,
      }),
      replay: null,
    });
  }
  return found;
}

/**
 * Event types that were busy in this hour of the week in every one of the
 * last weeks and had no event in the last complete hour (lib/subscription-health.ts),
 * from one grouped query; `count` is the minutes since the type went quiet.
 */
export async function collectQuietTypes(context: CollectContext): Promise<Map<string, Found>> {
  const { hour, baselineHours } = quietWindows(context.now);
  const quiet = findQuietTypes(await eventCountsInHours([hour, hour + 1, ...baselineHours]), context.now);
  const found = new Map<string, Found>();
  for (const type of quiet) {
    const key = `quiet_type:${type.eventType}`;
    found.set(key, {
      key,
      kind: "quiet_type",
      count: Math.floor((context.now.getTime() - type.quietSince.getTime()) / 60_000),
      first: type.quietSince,
      last: context.now,
      reopenMarker: type.quietSince,
      isActive: true,
      evidence: async () => ({ kind: "quiet_type", eventType: type.eventType, baseline: type.baseline, quietSince: type.quietSince.toISOString() }),
      replay: null,
    });
  }
  return found;
}
