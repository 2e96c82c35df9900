import "server-only";
import { processSlot } from "@/server/core/process-slot";
import {
  failureEvidenceSchema,
  failuresDtoSchema,
  failureKindSchema,
  incidentStateSchema,
  TREND_BUCKET_MINUTES,
  TREND_BUCKETS,
  type FailureEvidence,
  type FailureGroupDto,
  type FailureKind,
  type FailuresDto,
  type ReplayFilter,
} from "@/lib/failures";
import { log } from "@/server/core/logger";
import { getSettings } from "@/server/settings/settings";
import { summarizeError } from "@/server/processing/errors";
import { droppedRejectionsPerMinute } from "@/server/repositories/rejected-tally";
import { findIncident, insertIncident, listIncidents, reopening, updateIncidentIf, type IncidentRow } from "@/server/repositories/incidents";
import { deliveryBuckets, failingAttemptBuckets, flaggedDeliveries, rejectionBuckets, stuckOrderBuckets, duplicateDeliveriesOf, heavilyDuplicatedEvents, findEventTypesAndStatuses } from "@/server/repositories/failures";
import {
  collectDuplicateStorms,
  collectFlags,
  collectProcessing,
  collectRejectedOverBudget,
  collectRejections,
  collectSilence,
  collectStuckOrders,
  collectWebhooksMissed,
  collectSubscriptionProblems,
  collectQuietTypes,
  processingKey,
  REJECTED_OVER_BUDGET_KEY,
  SIGNATURE_REASONS,
  type CollectContext,
  type Found,
} from "@/server/failures/collectors";

// A scan finds every failure group and keeps its incident in step (open, new episode,
// auto-resolve); people acknowledge and resolve through server/failures/incidents.ts.
// See docs/failures-and-alerts.md#failure-groups

/** How far back a scan looks for groups nobody has seen yet; also how long resolved incidents stay listed. */
export const SCAN_LOOKBACK_MS = 24 * 60 * 60 * 1000;
export const RESOLVED_LISTED_MS = 7 * 24 * 60 * 60 * 1000;

const TREND_BUCKET_SECONDS = TREND_BUCKET_MINUTES * 60;
const OCCURRENCE_KINDS: readonly FailureKind[] = ["signature", "payload", "duplicate_storm", "unknown_type", "unknown_version", "rejected_over_budget"];

type Collector = (since: Date, context: CollectContext) => Promise<Map<string, Found>>;

function firstTrendBucket(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TREND_BUCKET_SECONDS) - (TREND_BUCKETS - 1);
}

function emptyTrend(): number[] {
  return Array.from({ length: TREND_BUCKETS }, () => 0);
}

/** Adds `count` at `bucket` to the key's trend, ignoring buckets outside the window. */
function addToTrend(trends: Map<string, number[]>, key: string, bucket: number, count: number, first: number): void {
  const index = bucket - first;
  if (index < 0 || index >= TREND_BUCKETS) return;
  const trend = trends.get(key) ?? emptyTrend();
  trend[index] = (trend[index] ?? 0) + count;
  trends.set(key, trend);
}

/** Occurrences per trend bucket for every group, from one bucketed query per kind. */
async function collectTrends(now: Date, minimum: number): Promise<Map<string, number[]>> {
  const first = firstTrendBucket(now);
  const since = new Date(first * TREND_BUCKET_SECONDS * 1000);
  const trends = new Map<string, number[]>();
  const bucketOfDate = (date: Date) => Math.floor(date.getTime() / 1000 / TREND_BUCKET_SECONDS);
  const [rejections, attempts, stuck, traffic, types, versions, storms, dropped] = await Promise.all([
    rejectionBuckets(since, TREND_BUCKET_SECONDS),
    failingAttemptBuckets(since, TREND_BUCKET_SECONDS),
    stuckOrderBuckets(since, now, TREND_BUCKET_SECONDS),
    deliveryBuckets(since, TREND_BUCKET_SECONDS),
    flaggedDeliveries("unknown_event_type", since, 20_000),
    flaggedDeliveries("unknown_payload_version", since, 20_000),
    heavilyDuplicatedEvents(since, minimum, 200),
    droppedRejectionsPerMinute(since),
  ]);
  for (const row of rejections) {
    if (!row.key) continue;
    const kind = (SIGNATURE_REASONS as readonly string[]).includes(row.key) ? "signature" : "payload";
    addToTrend(trends, `${kind}:${row.key}`, row.bucket, row.count, first);
  }
  for (const row of attempts) addToTrend(trends, processingKey(row.eventType, row.error), row.bucket, row.count, first);
  for (const row of dropped) addToTrend(trends, REJECTED_OVER_BUDGET_KEY, bucketOfDate(row.minute), row.droppedRequests, first);
  for (const row of stuck) addToTrend(trends, "stuck_orders", row.bucket, row.count, first);
  for (const row of traffic) addToTrend(trends, "silence", row.bucket, row.count, first);
  for (const row of types) if (row.event) addToTrend(trends, `unknown_type:${row.event.eventType}`, bucketOfDate(row.receivedAt), 1, first);
  for (const row of versions) if (row.event) addToTrend(trends, `unknown_version:${row.event.payloadVersion}`, bucketOfDate(row.receivedAt), 1, first);
  const stormIds = storms.map((storm) => storm.eventId);
  const [dupes, stormEvents] = await Promise.all([duplicateDeliveriesOf(stormIds, since), findEventTypesAndStatuses(stormIds)]);
  const typeOf = new Map(stormEvents.map((event) => [event.id, event.eventType]));
  for (const row of dupes) {
    const type = row.eventId ? typeOf.get(row.eventId) : undefined;
    if (type) addToTrend(trends, `duplicate_storm:${type}`, bucketOfDate(row.receivedAt), 1, first);
  }
  return trends;
}

/** Where an incident's current episode starts counting: its first occurrence while unresolved, after its resolve once resolved. */
function episodeSince(incident: IncidentRow | null, lookbackStart: Date): Date {
  if (!incident) return lookbackStart;
  if (incident.state === "resolved") return incident.resolvedAt ?? incident.lastSeenAt;
  return incident.firstSeenAt;
}

/**
 * Runs an occurrence collector for the look-back window and again for each
 * incident whose episode starts elsewhere, so each group is counted over its
 * own episode. Returns, per key, what was found over that key's episode.
 */
async function collectOccurrences(collector: Collector, kinds: readonly FailureKind[], context: CollectContext, incidents: Map<string, IncidentRow | null>, lookbackStart: Date) {
  const bySince = new Map<number, Promise<Map<string, Found>>>();
  const run = (since: Date) => {
    const known = bySince.get(since.getTime());
    if (known) return known;
    const result = collector(since, context);
    bySince.set(since.getTime(), result);
    return result;
  };
  const discovered = await run(lookbackStart);
  const keys = new Set(discovered.keys());
  for (const [key, incident] of incidents) {
    if (incident && incident.state !== "resolved" && kinds.includes(failureKindSchema.catch("payload").parse(incident.kind))) keys.add(key);
  }
  const result = new Map<string, { incident: IncidentRow | null; found: Found | null }>();
  for (const key of keys) {
    const incident = incidents.has(key) ? (incidents.get(key) ?? null) : await findIncident(key);
    const since = episodeSince(incident, lookbackStart);
    const found = since.getTime() === lookbackStart.getTime() ? (discovered.get(key) ?? null) : ((await run(since)).get(key) ?? null);
    result.set(key, { incident, found });
  }
  return result;
}

async function withEvidence(found: Found): Promise<string> {
  return JSON.stringify(failureEvidenceSchema.parse(await found.evidence()));
}

/**
 * Brings one group's incident in step with what was found. `found` is null
 * when nothing was found for the group over its episode (for condition
 * groups: the condition no longer holds).
 */
async function syncIncident(key: string, incident: IncidentRow | null, found: Found | null, now: Date, quietMs: number, isOccurrenceKind: boolean): Promise<void> {
  if (!incident) {
    if (!found) return;
    // A burst that already ended before anyone scanned is listed as resolved, so it can still be read.
    const resolvedAt = found.isActive ? null : new Date(Math.min(now.getTime(), found.last.getTime() + quietMs));
    await insertIncident({
      key,
      kind: found.kind,
      state: found.isActive ? "open" : "resolved",
      firstSeenAt: found.first,
      lastSeenAt: found.last,
      count: found.count,
      openedAt: now,
      resolvedAt,
      evidence: await withEvidence(found),
    });
    return;
  }
  if (incident.state === "resolved") {
    if (!found || !incident.resolvedAt || found.reopenMarker <= incident.resolvedAt || !found.isActive) return;
    await updateIncidentIf(key, ["resolved"], { ...reopening(now), firstSeenAt: found.first, lastSeenAt: found.last, count: found.count, evidence: await withEvidence(found) });
    return;
  }
  if (!found || !found.isActive) {
    const resolvedAt = isOccurrenceKind && found ? new Date(Math.min(now.getTime(), found.last.getTime() + quietMs)) : now;
    await updateIncidentIf(key, ["open", "acknowledged"], {
      state: "resolved",
      resolvedAt,
      resolvedById: null,
      resolvedByName: null,
      ...(found ? { count: found.count, lastSeenAt: found.last, evidence: await withEvidence(found) } : {}),
    });
    return;
  }
  await updateIncidentIf(key, ["open", "acknowledged"], { firstSeenAt: found.first, lastSeenAt: found.last, count: found.count, evidence: await withEvidence(found) });
}

export interface ScanResult {
  dto: FailuresDto;
  scannedAt: number;
}

function toGroupDto(row: IncidentRow, trend: number[] | undefined, found: Found | undefined): FailureGroupDto | null {
  let evidence: FailureEvidence;
  try {
    const parsed = failureEvidenceSchema.safeParse(JSON.parse(row.evidence));
    if (!parsed.success) return null;
    evidence = parsed.data;
  } catch {
    return null;
  }
  const kind = failureKindSchema.safeParse(row.kind);
  if (!kind.success) return null;
  const state = incidentStateSchema.catch("open").parse(row.state);
  let replay: ReplayFilter | null = found?.replay ?? null;
  if (!replay && evidence.kind === "unknown_type") replay = { statuses: ["processed"], eventType: evidence.eventType };
  return {
    key: row.key,
    kind: kind.data,
    state,
    count: row.count,
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    openedAt: row.openedAt.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: row.acknowledgedByName,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    resolvedBy: row.resolvedByName,
    isActive: state !== "resolved" && (found?.isActive ?? false),
    evidence,
    trend: trend ?? emptyTrend(),
    replay,
  };
}

const STATE_ORDER = { open: 0, acknowledged: 1, resolved: 2 } as const;

/**
 * Scans for failure groups at `now`, brings their incidents up to date and
 * returns every group to show: unresolved ones and those resolved within a
 * week, open first, then acknowledged, then resolved, newest first.
 */
export async function scanFailures(now: Date = new Date()): Promise<FailuresDto> {
  const [settings, expectedTypes] = await Promise.all([getSettings("failureDetection"), getSettings("expectedSubscriptions")]);
  const context: CollectContext = { now, settings, expectedTypes };
  const quietMs = settings.autoResolveQuietMinutes * 60_000;
  const lookbackStart = new Date(now.getTime() - Math.max(SCAN_LOOKBACK_MS, 2 * quietMs));
  const listed = await listIncidents(new Date(now.getTime() - RESOLVED_LISTED_MS));
  const incidents = new Map<string, IncidentRow | null>(listed.map((row) => [row.key, row]));

  const occurrences = new Map<string, { incident: IncidentRow | null; found: Found | null; isOccurrence: boolean }>();
  for (const [collector, kinds] of [
    [collectRejections, ["signature", "payload"]],
    [collectFlags, ["unknown_type", "unknown_version"]],
    [collectDuplicateStorms, ["duplicate_storm"]],
    [collectRejectedOverBudget, ["rejected_over_budget"]],
  ] as const) {
    for (const [key, entry] of await collectOccurrences(collector, kinds, context, incidents, lookbackStart)) occurrences.set(key, { ...entry, isOccurrence: true });
  }
  const [processing, stuck, silence, missed, subscriptions, quiet] = await Promise.all([
    collectProcessing(context),
    collectStuckOrders(context),
    collectSilence(context),
    collectWebhooksMissed(),
    collectSubscriptionProblems(),
    collectQuietTypes(context),
  ]);
  const conditions = new Map<string, Found>([...processing, ...stuck, ...silence.found, ...missed, ...subscriptions, ...quiet]);
  for (const [key, found] of conditions) occurrences.set(key, { incident: incidents.has(key) ? (incidents.get(key) ?? null) : await findIncident(key), found, isOccurrence: false });
  for (const [key, incident] of incidents) {
    if (!incident || occurrences.has(key) || incident.state === "resolved") continue;
    const kind = failureKindSchema.catch("payload").parse(incident.kind);
    // Condition groups not found any more have cleared; occurrence groups were handled by their collector; drift groups belong to server/drift.
    if (!OCCURRENCE_KINDS.includes(kind) && kind !== "payload_drift") occurrences.set(key, { incident, found: null, isOccurrence: false });
  }

  for (const [key, { incident, found, isOccurrence }] of occurrences) {
    try {
      await syncIncident(key, incident, found, now, quietMs, isOccurrence);
    } catch (error) {
      log("error", "failure group could not be updated", { group: key, error: summarizeError(error) });
    }
  }

  const trends = await collectTrends(now, settings.duplicateStormMinimum);
  const rows = await listIncidents(new Date(now.getTime() - RESOLVED_LISTED_MS));
  const groups = rows
    .map((row) => toGroupDto(row, trends.get(row.key), occurrences.get(row.key)?.found ?? undefined))
    .filter((group): group is FailureGroupDto => group !== null)
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.lastSeenAt.localeCompare(a.lastSeenAt) || a.key.localeCompare(b.key));
  return failuresDtoSchema.parse({ groups, scannedAt: now.toISOString(), trendBucketMinutes: TREND_BUCKET_MINUTES, hasEverReceived: silence.hasEverReceived });
}

const failureScanSlot = processSlot<Promise<FailuresDto>>("rxwatchFailureScan");

/**
 * The failure groups for the page. Requests that arrive while a scan runs
 * share it, so many open pages cost one scan at a time; `isFresh` (after a
 * change) always starts a new one.
 */
export async function getFailures(options: { isFresh?: boolean } = {}): Promise<FailuresDto> {
  const running = failureScanSlot.value;
  if (running && !options.isFresh) return running;
  const scan = scanFailures(new Date()).finally(() => {
    if (failureScanSlot.value === scan) failureScanSlot.value = undefined;
  });
  failureScanSlot.value = scan;
  return scan;
}
