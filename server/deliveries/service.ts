import "server-only";
import { csvField, type Download, type ExportValue } from "@/server/core/download";
import { decodeKeysetCursor, encodeKeysetCursor } from "@/server/core/keyset-cursor";
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  DELIVERY_RANGE_SECONDS,
  RELATED_DELIVERIES_SHOWN,
  type DeliveriesExportQuery,
  type DeliveriesPageDto,
  type DeliveriesQuery,
  type DeliveryDetailDto,
  type DeliveryFilters,
  type DeliveryRowDto,
  type ExportFormat,
  type PersonalDataDto,
  type VerificationDto,
} from "@/lib/deliveries";
import { attemptOutcomeSchema, eventStatusSchema } from "@/lib/processing";
import { exportedBody, presentDeliveryBody, type ExportedBody } from "@/server/deliveries/body-view";
import { deliveryOutcomeSchema, parseDeliveryFlags, rejectionCodeSchema, type RejectionCode } from "@/lib/rxscale/deliveries";
import { recordAudit } from "@/server/audit/record-audit";
import type { Viewer } from "@/lib/accounts";
import { AppError } from "@/server/core/errors";
import { listSigningSecrets } from "@/server/signing-secrets/signing-secrets";
import { log } from "@/server/core/logger";
import { UNMASKED_EXPORT_ROLE, canRevealPersonalData, findRevealExpiry } from "@/server/deliveries/reveal";
import { hasRole } from "@/lib/roles";
import {
  findDeliveryLogRows,
  findDeliveryRecord,
  listAttemptsOfEvent,
  listDeliveriesOfEvent,
  listDeliveryLogIds,
  planDeliveryLog,
  type DeliveryKeyset,
  type DeliveryLogFilter,
  type DeliveryLogPlan,
  type DeliveryLogRow,
  type DeliveryPosition,
} from "@/server/repositories/delivery-queries";

/*
 * The deliveries list: every delivery RxScale (or anyone) sent, what became of it,
 * its raw body for support, and exports of a filtered view.
 */

/** Rows per database round trip of an export: big enough to amortise the query, small enough to stream. */
const EXPORT_PAGE_ROWS = 1_000;
/** Processing runs shown in a delivery's detail; re-processing many times is the only way past it. */
const ATTEMPTS_SHOWN = 100;

// ─── Filters and cursors ──────────────────────────────────────────────────────

/** The spellings of a shop order name a search value may mean: "#1042" and "1042" find each other. */
function shopOrderNamesOf(value: string): string[] {
  return value.startsWith("#") ? [value, value.slice(1)] : [value, `#${value}`];
}

function toFilter(filters: DeliveryFilters, now: Date): DeliveryLogFilter {
  const filter: DeliveryLogFilter = {};
  if (filters.type) filter.eventType = filters.type;
  if (filters.outcome) filter.outcome = filters.outcome;
  if (filters.state) filter.eventStatus = filters.state;
  if (filters.order) filter.orderUid = filters.order;
  if (filters.q) filter.search = { value: filters.q, shopOrderNames: shopOrderNamesOf(filters.q) };
  if (filters.range === "custom") {
    if (filters.from) filter.receivedFrom = new Date(filters.from);
    if (filters.to) filter.receivedTo = new Date(filters.to);
  } else if (filters.range !== "all") {
    filter.receivedFrom = new Date(now.getTime() - DELIVERY_RANGE_SECONDS[filters.range] * 1000);
  }
  return filter;
}

function encodeCursor(keyset: DeliveryKeyset): string {
  return encodeKeysetCursor({ at: keyset.receivedAt, id: keyset.id });
}

function decodeCursor(value: string): DeliveryKeyset {
  const { at, id } = decodeKeysetCursor(value, "start from the newest deliveries");
  return { receivedAt: at, id };
}

// ─── List ─────────────────────────────────────────────────────────────────────

/** A listed row carries identifiers, codes and counts only: nothing of the body is read for the list, so nothing in it needs masking. */
function toRowDto(row: DeliveryLogRow): DeliveryRowDto {
  return {
    id: row.id,
    receivedAt: row.receivedAt.toISOString(),
    // Outcomes are written only by ingest; an unknown one (a newer version's) reads as rejected, the least trusting.
    outcome: deliveryOutcomeSchema.catch("rejected").parse(row.outcome),
    httpStatus: row.httpStatus,
    reasonCode: row.reasonCode,
    reasonDetail: row.reasonDetail,
    flags: parseDeliveryFlags(row.flags),
    eventTypeHeader: row.eventTypeHeader,
    bodySize: row.bodySize,
    event: row.event
      ? {
          id: row.event.id,
          type: row.event.eventType,
          status: eventStatusSchema.catch("pending").parse(row.event.status),
          attempts: row.event.attempts,
          duplicateCount: row.event.duplicateCount,
          orderUid: row.event.orderUid,
          pharmacyOrderUid: row.event.pharmacyOrderUid,
        }
      : null,
  };
}

/**
 * One page of the deliveries list, newest first, for GET /api/deliveries. With
 * `newer`, the rows that arrived after that one instead (newest first, at
 * most `limit`): what a paused view has not shown yet.
 */
export async function listDeliveries(query: DeliveriesQuery, now: Date = new Date()): Promise<DeliveriesPageDto> {
  const filter = toFilter(query, now);
  const plan = await planDeliveryLog(filter);
  if (query.newer) {
    const ids = await listDeliveryLogIds(filter, plan, { after: decodeCursor(query.newer), direction: "newer" }, query.limit);
    const rows = await findDeliveryLogRows(ids.reverse());
    const newest = rows[0];
    return { deliveries: rows.map(toRowDto), nextCursor: null, newestCursor: newest ? encodeCursor(newest) : null };
  }
  const position: DeliveryPosition | null = query.cursor ? { after: decodeCursor(query.cursor), direction: "older" } : null;
  const ids = await listDeliveryLogIds(filter, plan, position, query.limit + 1);
  const rows = await findDeliveryLogRows(ids.slice(0, query.limit));
  const [first, last] = [rows[0], rows.at(-1)];
  return {
    deliveries: rows.map(toRowDto),
    nextCursor: ids.length > query.limit && last ? encodeCursor(last) : null,
    newestCursor: first ? encodeCursor(first) : null,
  };
}

// ─── Detail ───────────────────────────────────────────────────────────────────

const storedHeadersSchema = z.record(z.string(), z.string());

function headersOf(stored: string): { name: string; value: string }[] {
  try {
    const parsed = storedHeadersSchema.safeParse(JSON.parse(stored));
    if (parsed.success) return Object.entries(parsed.data).map(([name, value]) => ({ name, value }));
  } catch {
    // Written by ingest as JSON; anything else is shown as it is below.
  }
  return [{ name: "(unreadable header record)", value: stored }];
}

/** How people know a signing secret: its label and last characters (stored ones) or its place in RXSCALE_SIGNING_SECRETS; null when gone. */
export async function describeSecret(secretId: string): Promise<string | null> {
  const position = /^env:(\d+)$/.exec(secretId)?.[1];
  if (position) return `Entry ${position} of RXSCALE_SIGNING_SECRETS`;
  const secret = (await listSigningSecrets()).find((candidate) => candidate.id === secretId);
  if (!secret) return null;
  return `"${secret.label}" (${secret.hint})${secret.isActive ? "" : ", since retired"}`;
}

const NOT_CHECKED_BECAUSE: Partial<Record<RejectionCode, string>> = {
  unsupported_media_type: "the Content-Type was not application/json",
  unsupported_content_encoding: "the body was compressed (RxScale signs uncompressed bytes)",
  too_large: "the body was over the size limit, so it was not read",
  body_timeout: "the body did not arrive within the read deadline (RXWATCH_BODY_READ_TIMEOUT_SECONDS), so it was answered 408 with what had arrived",
  aborted: "the sender went away before the body was complete",
};

const FAILED_BECAUSE: Partial<Record<RejectionCode, string>> = {
  missing_signature:
    "The request had no X-Webhook-Signature header. RxScale signs every delivery, so this came from something else (a test tool or a probe), or a proxy removed the header.",
  malformed_signature:
    "X-Webhook-Signature was present but is not 64 hexadecimal characters (empty, cut short, too long, or with a prefix such as sha256=), so it was not compared with any secret.",
  bad_signature:
    "The signature is well-formed, but no active signing secret produces it for these exact bytes. Either the body was changed on the way (e.g. re-encoded by a proxy) or it was signed with a secret RxWatch does not hold (rotated or re-created on RxScale's side, or retired here too early). An HMAC cannot tell these two apart, by design. Compare the body hash with RxScale's, and check Settings → Signing secrets.",
};

async function verificationOf(record: { outcome: string; reasonCode: string | null; reasonDetail: string | null; matchedSecretId: string | null }, signatureHeader: string | null): Promise<VerificationDto> {
  const reason = rejectionCodeSchema.safeParse(record.reasonCode);
  const isQuarantined = record.outcome === "quarantined";
  const rejection = (record.outcome === "rejected" || isQuarantined) && reason.success ? reason.data : null;
  if (record.matchedSecretId !== null) {
    const secretDescription = await describeSecret(record.matchedSecretId);
    const named = secretDescription ?? `secret ${record.matchedSecretId}`;
    const explanation = isQuarantined
      ? `The signature matched ${named}, so the delivery is authentic, but RxWatch could not read it (${rejection ?? "unreadable"}${record.reasonDetail ? `: ${record.reasonDetail}` : ""}). It is kept in quarantine until support re-processes it.`
      : rejection
        ? `The signature matched ${named}, but the body was refused afterwards (${rejection}): RxScale sent it signed, yet it is not a valid webhook envelope.`
        : `The signature matched ${named}.`;
    return { status: "verified", secretId: record.matchedSecretId, secretDescription, reasonCode: rejection, explanation, signatureHeader };
  }
  if (rejection && NOT_CHECKED_BECAUSE[rejection]) {
    return { status: "not_checked", secretId: null, secretDescription: null, reasonCode: rejection, explanation: `Refused before the signature was checked: ${NOT_CHECKED_BECAUSE[rejection]}.`, signatureHeader };
  }
  const explanation = (rejection && FAILED_BECAUSE[rejection]) ?? "The signature was not verified.";
  return { status: "failed", secretId: null, secretDescription: null, reasonCode: rejection ?? record.reasonCode, explanation, signatureHeader };
}

/**
 * Everything about one delivery for its detail view (support and admins):
 * headers, body, verification, the event it became with its other deliveries
 * and processing runs. The body is masked unless `viewer` holds a reveal
 * grant for this delivery in force at `now` (server/deliveries/reveal.ts).
 * Throws AppError `not_found` for an unknown id.
 */
export async function getDeliveryDetail(id: string, viewer: Viewer, now: Date = new Date()): Promise<DeliveryDetailDto> {
  const record = await findDeliveryRecord(id);
  if (!record) throw new AppError("not_found", "No delivery with that id.");
  const revealExpiresAt = await findRevealExpiry(viewer, id, now);
  const presented = presentDeliveryBody(record.body, record.bodySize, record.bodySha256, { isRevealed: revealExpiresAt !== null, eventType: record.event?.eventType ?? null });
  const personalData: PersonalDataDto = {
    masked: revealExpiresAt === null && presented.maskedPaths.length > 0,
    maskedPaths: presented.maskedPaths,
    revealExpiresAt: revealExpiresAt?.toISOString() ?? null,
    canReveal: canRevealPersonalData(viewer.role) && record.body !== null,
  };
  const headers = headersOf(record.headers);
  const signatureHeader = headers.find((header) => header.name === "x-webhook-signature")?.value ?? null;
  const event = record.event;
  const [verification, eventDeliveries, attempts] = await Promise.all([
    verificationOf(record, signatureHeader),
    event ? listDeliveriesOfEvent(event.id, RELATED_DELIVERIES_SHOWN) : Promise.resolve([]),
    event ? listAttemptsOfEvent(event.id, ATTEMPTS_SHOWN) : Promise.resolve([]),
  ]);
  const row = toRowDto(record);
  return {
    delivery: { ...row, bodySha256: record.bodySha256, sourceAddress: record.sourceAddress, ackMs: record.ackMs },
    headers,
    body: presented.body,
    personalData,
    verification,
    event: event
      ? {
          id: event.id,
          type: event.eventType,
          timestamp: Number(event.eventTimestamp),
          timestampAt: new Date(Number(event.eventTimestamp) * 1000).toISOString(),
          payloadVersion: event.payloadVersion,
          dataUid: event.dataUid,
          isKeyCollision: event.isKeyCollision,
          isKnownType: event.isKnownType,
          firstReceivedAt: event.firstReceivedAt.toISOString(),
          lastReceivedAt: event.lastReceivedAt.toISOString(),
          duplicateCount: event.duplicateCount,
          status: eventStatusSchema.catch("pending").parse(event.status),
          attempts: event.attempts,
          nextAttemptAt: event.nextAttemptAt.toISOString(),
          processedAt: event.processedAt?.toISOString() ?? null,
          lastError: event.lastError,
          orderUid: event.orderUid,
          pharmacyOrderUid: event.pharmacyOrderUid,
          shopOrderName: event.shopOrderName,
          pharmacyUid: event.pharmacyUid,
        }
      : null,
    eventDeliveries: eventDeliveries.map((delivery) => ({
      id: delivery.id,
      receivedAt: delivery.receivedAt.toISOString(),
      outcome: deliveryOutcomeSchema.catch("rejected").parse(delivery.outcome),
      httpStatus: delivery.httpStatus,
      reasonCode: delivery.reasonCode,
    })),
    attempts: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      worker: attempt.worker,
      startedAt: attempt.startedAt.toISOString(),
      finishedAt: attempt.finishedAt?.toISOString() ?? null,
      outcome: attemptOutcomeSchema.catch("failed").parse(attempt.outcome),
      error: attempt.error,
    })),
  };
}

// ─── Export ───────────────────────────────────────────────────────────────────


/** Rows per round trip when bodies are exported too: bodies can be up to the webhook size limit each. */
const EXPORT_BODY_PAGE_ROWS = 100;

/** An exported row: the listed metadata and, when asked for, the body as the export's rules present it. */
interface ExportRow {
  row: DeliveryLogRow;
  body: ExportedBody;
}

/** Metadata columns: identifiers, codes and counts; never the patient uid. Bodies are a separate, opt-in column. */
const EXPORT_COLUMNS: readonly [string, (row: DeliveryLogRow) => ExportValue][] = [
  ["received_at", (row) => row.receivedAt.toISOString()],
  ["delivery_id", (row) => row.id],
  ["outcome", (row) => row.outcome],
  ["http_status", (row) => row.httpStatus],
  ["reason_code", (row) => row.reasonCode],
  ["flags", (row) => row.flags],
  ["event_type", (row) => row.event?.eventType ?? null],
  ["event_type_header", (row) => row.eventTypeHeader],
  ["event_id", (row) => row.event?.id ?? null],
  ["processing_state", (row) => row.event?.status ?? null],
  ["attempts", (row) => row.event?.attempts ?? null],
  ["duplicate_count", (row) => row.event?.duplicateCount ?? null],
  ["order_uid", (row) => row.event?.orderUid ?? null],
  ["pharmacy_order_uid", (row) => row.event?.pharmacyOrderUid ?? null],
  ["shop_order_name", (row) => row.event?.shopOrderName ?? null],
  ["pharmacy_uid", (row) => row.event?.pharmacyUid ?? null],
  ["matched_secret_id", (row) => row.matchedSecretId],
  ["source_address", (row) => row.sourceAddress],
  ["body_size", (row) => row.bodySize],
  ["body_sha256", (row) => row.bodySha256],
  ["ack_ms", (row) => row.ackMs],
];

function encodeRows(format: ExportFormat, rows: readonly ExportRow[], withBodies: boolean): string {
  const fieldsOf = (entry: ExportRow): [string, ExportValue][] => {
    const fields = EXPORT_COLUMNS.map(([name, value]): [string, ExportValue] => [name, value(entry.row)]);
    return withBodies ? [...fields, ["body", entry.body.text]] : fields;
  };
  if (format === "csv") return rows.map((entry) => `${fieldsOf(entry).map(([, value]) => csvField(value)).join(",")}\r\n`).join("");
  return rows.map((entry) => `${JSON.stringify(Object.fromEntries(fieldsOf(entry)))}\n`).join("");
}

function truncationTrailer(format: ExportFormat, rows: number): string {
  const message = `truncated after ${rows} rows (the export limit); narrow the filters or the time range to get the rest`;
  return format === "csv" ? `# ${message}\r\n` : `${JSON.stringify({ truncated: true, rows, message })}\n`;
}

/** Filters as the audit record keeps them: a search value may be a patient uid, so only a short hash of it is kept. */
function auditedFilters(query: DeliveriesExportQuery): Record<string, string | null> {
  const hash = (value: string) => `sha256:${createHash("sha256").update(value).digest("hex").slice(0, 16)}`;
  return {
    filterType: query.type ?? null,
    filterOutcome: query.outcome ?? null,
    filterState: query.state ?? null,
    filterRange: query.range,
    filterFrom: query.from ?? null,
    filterTo: query.to ?? null,
    filterOrder: query.order ?? null,
    filterSearch: query.q ? hash(query.q) : null,
  };
}

export type DeliveryExport = Download;

export interface ExportAccess {
  /** Given (by an admin): bodies are exported unmasked, and the reason is audited. */
  reason?: string;
  /** The request, for the audit entry's source address and user agent. */
  headers?: Headers;
}

/**
 * Streams the deliveries matching `query` as CSV or NDJSON, newest first, in keyset
 * pages as fast as the client reads; at most `query.max` rows, then a truncation line.
 * Bodies only with `query.bodies`, masked unless an admin gives a `reason`; throws
 * AppError `forbidden` for a reason from anyone else. Audited (awaited) before the
 * first row and at the end. See docs/deliveries.md#export
 */
export async function exportDeliveries(query: DeliveriesExportQuery, viewer: Viewer, access: ExportAccess = {}, now: Date = new Date()): Promise<DeliveryExport> {
  if (access.reason !== undefined && !hasRole(viewer.role, UNMASKED_EXPORT_ROLE)) throw new AppError("forbidden", `Exporting unmasked bodies needs the ${UNMASKED_EXPORT_ROLE} role.`);
  const isMasked = access.reason === undefined;
  const withBodies = query.bodies || !isMasked;
  const filter = toFilter(query, now);
  const encoder = new TextEncoder();
  const pageRows = withBodies ? EXPORT_BODY_PAGE_ROWS : EXPORT_PAGE_ROWS;
  let plan: DeliveryLogPlan | null = null;
  let position: DeliveryPosition | null = null;
  let rowsWritten = 0;
  /** Rows whose body is a placeholder because it could not be shown: the audit says how many. */
  let bodiesNotDisplayable = 0;
  let isAudited = false;

  const described = { format: query.format, maxRows: query.max, bodies: withBodies, masked: isMasked, ...auditedFilters(query) };
  await recordAudit({ action: "deliveries.export", actor: viewer, reason: access.reason, details: { ...described, result: "started" }, headers: access.headers });

  const audit = async (result: "completed" | "truncated" | "cancelled" | "failed") => {
    if (isAudited) return;
    isAudited = true;
    try {
      await recordAudit({ action: "deliveries.export", actor: viewer, reason: access.reason, details: { ...described, rows: rowsWritten, result, bodiesNotDisplayable }, headers: access.headers });
    } catch (error) {
      // The start was audited; what is lost is the row count, which the log keeps.
      log("error", "export end not audited", { error: error instanceof Error ? error.name : "unknown", rows: rowsWritten, result });
    }
  };

  const withBodiesOf = async (rows: readonly DeliveryLogRow[]): Promise<ExportRow[]> => {
    if (!withBodies) return rows.map((row) => ({ row, body: { text: null, notDisplayable: null } }));
    // Issued together, Prisma batches these single-row reads into one query; the repository opens each body.
    const records = await Promise.all(rows.map((row) => findDeliveryRecord(row.id)));
    return rows.map((row, index) => {
      const body = exportedBody(records[index]?.body ?? null, row.event?.eventType ?? null, isMasked);
      if (body.notDisplayable) bodiesNotDisplayable++;
      return { row, body };
    });
  };

  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (query.format === "csv") controller.enqueue(encoder.encode(`${[...EXPORT_COLUMNS.map(([name]) => name), ...(withBodies ? ["body"] : [])].join(",")}\r\n`));
      },
      async pull(controller) {
        try {
          plan ??= await planDeliveryLog(filter);
          const take = Math.min(pageRows, query.max - rowsWritten);
          // One id beyond the page says whether anything follows it.
          const ids = await listDeliveryLogIds(filter, plan, position, take + 1);
          const rows = await findDeliveryLogRows(ids.slice(0, take));
          if (rows.length > 0) controller.enqueue(encoder.encode(encodeRows(query.format, await withBodiesOf(rows), withBodies)));
          rowsWritten += rows.length;
          const last = rows.at(-1);
          if (last) position = { after: last, direction: "older" };
          if (ids.length <= take || !last) {
            await audit("completed");
            controller.close();
          } else if (rowsWritten >= query.max) {
            controller.enqueue(encoder.encode(truncationTrailer(query.format, rowsWritten)));
            await audit("truncated");
            controller.close();
          }
        } catch (error) {
          log("error", "delivery export failed", { error: error instanceof Error ? error.name : "unknown", rows: rowsWritten });
          await audit("failed");
          controller.error(error);
        }
      },
      async cancel() {
        await audit("cancelled");
      },
    },
    // Pull one page ahead at most: memory stays at a page or two whatever the result size.
    { highWaterMark: 1 },
  );

  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return {
    stream,
    filename: `rxwatch-deliveries-${stamp}${isMasked ? "" : "-unmasked"}.${query.format}`,
    contentType: query.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
  };
}
