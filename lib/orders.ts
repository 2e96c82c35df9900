import { z } from "zod";
import { PROGRESS_STAGES, stageSchema } from "./lifecycle";

/*
 * The orders API (GET /api/orders, GET /api/orders/:uid) as browser and
 * server both see it. Filters live in the page URL, so these schemas parse
 * URLSearchParams as well as JSON.
 */

export const ORDER_PAGE_SIZE = 50;
export const TIME_RANGES = ["1h", "24h", "7d", "30d", "all"] as const;
export const timeRangeSchema = z.enum(TIME_RANGES);
export type TimeRange = z.infer<typeof timeRangeSchema>;
export const TIME_RANGE_SECONDS: Record<TimeRange, number | null> = { "1h": 3600, "24h": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400, all: null };

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((value) => (value ? value : undefined));

/** Query of the orders list; every field optional and URL-friendly. */
export const ordersQuerySchema = z.object({
  stage: stageSchema.optional().catch(undefined),
  status: optionalText,
  pharmacy: optionalText,
  stuck: z
    .enum(["1", "true"])
    .optional()
    .catch(undefined)
    .transform((value) => value !== undefined),
  range: timeRangeSchema.default("all").catch("all"),
  /** Free-text search over order uid, pharmacy order uid, shop order name, patient uid. */
  q: optionalText,
  cursor: optionalText,
  limit: z.coerce.number().int().min(1).max(200).default(ORDER_PAGE_SIZE).catch(ORDER_PAGE_SIZE),
});
export type OrdersQuery = z.infer<typeof ordersQuerySchema>;

export const orderSummaryDtoSchema = z.object({
  orderUid: z.string(),
  stage: stageSchema,
  status: z.string(),
  reachedStage: z.enum(PROGRESS_STAGES).nullable(),
  stageSince: z.iso.datetime(),
  firstEventAt: z.iso.datetime(),
  lastEventAt: z.iso.datetime(),
  pharmacyName: z.string().nullable(),
  shopOrderName: z.string().nullable(),
  deliveryType: z.string().nullable(),
  gaps: z.array(z.enum(PROGRESS_STAGES)),
  isStuck: z.boolean(),
  stuckSince: z.iso.datetime().nullable(),
  expectedNext: z.string().nullable(),
  eventCount: z.number().int(),
});
export type OrderSummaryDto = z.infer<typeof orderSummaryDtoSchema>;

export const ordersPageDtoSchema = z.object({
  orders: z.array(orderSummaryDtoSchema),
  nextCursor: z.string().nullable(),
  /** Orders per stage for the current filters except `stage` itself. */
  stageCounts: z.record(z.string(), z.number().int()),
  stuckCount: z.number().int(),
});
export type OrdersPageDto = z.infer<typeof ordersPageDtoSchema>;

/** Serialises a query into the URL search string the page and the API share. */
export function ordersQueryToSearch(query: Partial<OrdersQuery>): string {
  const params = new URLSearchParams();
  if (query.stage) params.set("stage", query.stage);
  if (query.status) params.set("status", query.status);
  if (query.pharmacy) params.set("pharmacy", query.pharmacy);
  if (query.stuck) params.set("stuck", "1");
  if (query.range && query.range !== "all") params.set("range", query.range);
  if (query.q) params.set("q", query.q);
  if (query.cursor) params.set("cursor", query.cursor);
  return params.toString();
}
