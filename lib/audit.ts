import { z } from "zod";

/*
 * The audit log as the API and the /audit page see it. The list of action
 * names lives with the code that writes entries (server/audit/record-audit.ts); here an
 * action is any dotted lower-case name, so an entry written by a newer
 * version still reads.
 */

export const AUDIT_OUTCOMES = ["success", "failure", "denied"] as const;
export const auditOutcomeSchema = z.enum(AUDIT_OUTCOMES);
export type AuditOutcome = z.infer<typeof auditOutcomeSchema>;

export const AUDIT_PAGE_SIZE = 50;
export const MAX_AUDIT_PAGE_SIZE = 200;
/** Rows one audit export may hold; narrow the dates for more. */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;
export const AUDIT_EXPORT_FORMATS = ["csv", "ndjson"] as const;

const optionalText = z
  .string()
  .trim()
  .max(256)
  .optional()
  .transform((value) => (value ? value : undefined));

/** A day (YYYY-MM-DD, read as UTC) or an instant; anything else is ignored. */
const optionalDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined);

export const auditFiltersSchema = z.object({
  action: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)*$/)
    .max(64)
    .optional()
    .catch(undefined),
  /** Actor: the start of a user's email or a token's name (`%` and `_` match anything, as in SQL LIKE), "cli", or an exact actor id. */
  actor: optionalText,
  outcome: auditOutcomeSchema.optional().catch(undefined),
  /** First day included (UTC). */
  from: optionalDay,
  /** Last day included (UTC). */
  to: optionalDay,
});
export type AuditFilters = z.infer<typeof auditFiltersSchema>;

export const auditQuerySchema = auditFiltersSchema.extend({
  cursor: optionalText,
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE_SIZE).default(AUDIT_PAGE_SIZE).catch(AUDIT_PAGE_SIZE),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditExportQuerySchema = auditFiltersSchema.extend({
  format: z.enum(AUDIT_EXPORT_FORMATS).default("csv").catch("csv"),
  max: z.coerce.number().int().min(1).max(AUDIT_EXPORT_MAX_ROWS).default(AUDIT_EXPORT_MAX_ROWS).catch(AUDIT_EXPORT_MAX_ROWS),
});
export type AuditExportQuery = z.infer<typeof auditExportQuerySchema>;

/** Serialises filters (and paging) into the search string the page URL and the API share; empty values are left out. */
export function auditQueryToSearch(query: Partial<AuditQuery & AuditExportQuery>): string {
  const params = new URLSearchParams();
  if (query.action) params.set("action", query.action);
  if (query.actor) params.set("actor", query.actor);
  if (query.outcome) params.set("outcome", query.outcome);
  if (query.from) params.set("from", query.from);
  if (query.to) params.set("to", query.to);
  if (query.cursor) params.set("cursor", query.cursor);
  if (query.limit !== undefined && query.limit !== AUDIT_PAGE_SIZE) params.set("limit", String(query.limit));
  if (query.format) params.set("format", query.format);
  if (query.max !== undefined && query.max !== AUDIT_EXPORT_MAX_ROWS) params.set("max", String(query.max));
  return params.toString();
}

export const auditEntryDtoSchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  /** user | api_token | system | anonymous */
  actorType: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  actorRole: z.string().nullable(),
  action: z.string(),
  outcome: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  reason: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  sourceAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type AuditEntryDto = z.infer<typeof auditEntryDtoSchema>;

export const auditPageDtoSchema = z.object({
  entries: z.array(auditEntryDtoSchema),
  /** Pass as `cursor` for the next older page; null at the end. */
  nextCursor: z.string().nullable(),
});
export type AuditPageDto = z.infer<typeof auditPageDtoSchema>;

/** The page an audit entry's target has, when it has one: orders and deliveries. */
export function auditTargetHref(targetType: string, targetId: string): string | null {
  if (targetType === "order") return `/orders/${encodeURIComponent(targetId)}`;
  if (targetType === "delivery") return `/deliveries?delivery=${encodeURIComponent(targetId)}`;
  return null;
}
