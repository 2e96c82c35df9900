import "server-only";
import { decodeKeysetCursor, encodeKeysetCursor } from "@/server/core/keyset-cursor";
import { auditEntryDtoSchema, type AuditEntryDto, type AuditExportQuery, type AuditFilters, type AuditPageDto, type AuditQuery } from "@/lib/audit";
import { recordAudit } from "@/server/audit/record-audit";
import type { Viewer } from "@/lib/accounts";
import { csvField, type Download, type ExportValue } from "@/server/core/download";
import { log } from "@/server/core/logger";
import { findAuditEntries, type AuditEntryRow, type AuditKeyset, type AuditLogFilter } from "@/server/repositories/audit";

/*
 * Reading the audit log: the admin page, its API and its export. Entries are
 * written only by server/audit/record-audit.ts and never changed afterwards.
 */

/** Rows per database round trip of an export. */
const EXPORT_PAGE_ROWS = 1_000;
const DAY_MS = 86_400_000;

function toFilter(filters: AuditFilters): AuditLogFilter {
  const filter: AuditLogFilter = {};
  if (filters.action) filter.action = filters.action;
  if (filters.actor) filter.actor = filters.actor;
  if (filters.outcome) filter.outcome = filters.outcome;
  if (filters.from) filter.atFrom = new Date(`${filters.from}T00:00:00.000Z`);
  if (filters.to) filter.atBefore = new Date(new Date(`${filters.to}T00:00:00.000Z`).getTime() + DAY_MS);
  return filter;
}

const encodeCursor = encodeKeysetCursor;
const decodeCursor = (value: string): AuditKeyset => decodeKeysetCursor(value, "start from the newest entries");

function parseDetails(text: string): AuditEntryDto["details"] {
  try {
    const parsed = auditEntryDtoSchema.shape.details.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

function toDto(row: AuditEntryRow): AuditEntryDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actorType: row.actorType,
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    actorRole: row.actorRole,
    action: row.action,
    outcome: row.outcome,
    targetType: row.targetType,
    targetId: row.targetId,
    reason: row.reason,
    details: parseDetails(row.details),
    sourceAddress: row.sourceAddress,
    userAgent: row.userAgent,
  };
}

/** One page of the audit log, newest first, for GET /api/audit and the /audit page. */
export async function listAuditEntries(query: AuditQuery): Promise<AuditPageDto> {
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  // One row beyond the page says whether anything follows it.
  const rows = await findAuditEntries(toFilter(query), after, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { entries: page.map(toDto), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

const EXPORT_COLUMNS: ReadonlyArray<readonly [string, (entry: AuditEntryDto) => ExportValue]> = [
  ["at", (entry) => entry.at],
  ["id", (entry) => entry.id],
  ["actor_type", (entry) => entry.actorType],
  ["actor_id", (entry) => entry.actorId],
  ["actor", (entry) => entry.actorLabel],
  ["actor_role", (entry) => entry.actorRole],
  ["action", (entry) => entry.action],
  ["outcome", (entry) => entry.outcome],
  ["target_type", (entry) => entry.targetType],
  ["target_id", (entry) => entry.targetId],
  ["reason", (entry) => entry.reason],
  ["details", (entry) => JSON.stringify(entry.details)],
  ["source_address", (entry) => entry.sourceAddress],
  ["user_agent", (entry) => entry.userAgent],
];

function encodeRows(format: AuditExportQuery["format"], entries: readonly AuditEntryDto[]): string {
  if (format === "csv") return entries.map((entry) => `${EXPORT_COLUMNS.map(([, value]) => csvField(value(entry))).join(",")}\r\n`).join("");
  return entries.map((entry) => `${JSON.stringify(entry)}\n`).join("");
}

export type AuditExport = Download;

/**
 * Streams the matching entries as CSV or NDJSON, newest first, in keyset
 * pages (never all in memory), as fast as the client reads. The export is
 * audited before the first byte — awaited, so an export that cannot be
 * audited does not happen. More than `max` rows end in a truncation line.
 */
export async function exportAuditEntries(query: AuditExportQuery, viewer: Viewer, headers: Headers, now: Date = new Date()): Promise<AuditExport> {
  const filter = toFilter(query);
  await recordAudit({
    action: "audit.export",
    actor: viewer,
    details: { format: query.format, maxRows: query.max, filterAction: query.action ?? null, filterActor: query.actor ?? null, filterOutcome: query.outcome ?? null, filterFrom: query.from ?? null, filterTo: query.to ?? null },
    headers,
  });
  const encoder = new TextEncoder();
  let after: AuditKeyset | null = null;
  let rowsWritten = 0;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (query.format === "csv") controller.enqueue(encoder.encode(`${EXPORT_COLUMNS.map(([name]) => name).join(",")}\r\n`));
    },
    async pull(controller) {
      try {
        const take = Math.min(EXPORT_PAGE_ROWS, query.max - rowsWritten);
        const rows = await findAuditEntries(filter, after, take + 1);
        const page = rows.slice(0, take);
        if (page.length > 0) controller.enqueue(encoder.encode(encodeRows(query.format, page.map(toDto))));
        rowsWritten += page.length;
        const last = page.at(-1);
        if (last) after = { at: last.at, id: last.id };
        if (rows.length <= take || !last) {
          controller.close();
        } else if (rowsWritten >= query.max) {
          const message = `truncated after ${rowsWritten} rows (the export limit); narrow the dates to get the rest`;
          controller.enqueue(encoder.encode(query.format === "csv" ? `# ${message}\r\n` : `${JSON.stringify({ truncated: true, rows: rowsWritten, message })}\n`));
          controller.close();
        }
      } catch (error) {
        log("error", "audit export failed", { error: error instanceof Error ? error.name : "unknown", rows: rowsWritten });
        controller.error(error);
      }
    },
  });
  const stamp = now.toISOString().replaceAll(":", "").slice(0, 15);
  return {
    stream,
    filename: `rxwatch-audit-${stamp}.${query.format === "csv" ? "csv" : "ndjson"}`,
    contentType: query.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
  };
}
