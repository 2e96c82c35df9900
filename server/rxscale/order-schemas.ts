import "server-only";
import { z } from "zod";

/*
 * RxScale's orders and prescriptions as the Management API returns them. Only
 * the paths and filters are documented (docs/rxscale.md#orders-and-prescriptions);
 * every field below is read leniently and this file is the one place that maps
 * RxScale's names to RxWatch's. What is assumed is listed in that doc section.
 */

/** Unix seconds from a number of seconds, a number of milliseconds or an ISO date; null when unreadable. */
export function toUnixSeconds(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return Math.floor(value > 1e12 ? value / 1000 : value);
  if (typeof value === "string" && value.trim() !== "") {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return toUnixSeconds(Number(value));
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? null : Math.floor(parsed / 1000);
  }
  return null;
}

const time = z.unknown().optional().transform(toUnixSeconds);
const optionalText = z
  .unknown()
  .optional()
  .transform((value) => (typeof value === "string" && value !== "" ? value : null));

/** One prescription or pharmacy order inside an order; unknown fields are dropped. */
const entitySchema = z.object({
  uid: z.string().min(1),
  status: z.string().min(1),
  updated_at: time,
  pharmacy: z
    .object({ uid: optionalText, name: optionalText })
    .nullish()
    .catch(null),
});

/** Entities whose uid or status is missing are skipped rather than failing the whole order. */
const entityListSchema = z
  .array(z.unknown())
  .nullish()
  .catch(null)
  .transform((items) => (items ?? []).flatMap((item) => {
    const parsed = entitySchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  }));

export interface RxScaleEntityState {
  uid: string;
  status: string;
  /** Unix seconds; null when RxScale gave none. */
  updatedAt: number | null;
}

export interface RxScalePharmacyOrderState extends RxScaleEntityState {
  pharmacyUid: string | null;
  pharmacyName: string | null;
}

/** RxScale's state of one patient order, as RxWatch compares and records it: no personal data. */
export interface RxScaleOrderState extends RxScaleEntityState {
  createdAt: number | null;
  shopOrderName: string | null;
  /** Null when the answer had no prescriptions field (e.g. the key lacks prescription:read). */
  prescriptions: RxScaleEntityState[] | null;
  pharmacyOrders: RxScalePharmacyOrderState[] | null;
}

const PRESCRIPTION_KEYS = ["prescriptions", "prescription_list"] as const;
const PHARMACY_ORDER_KEYS = ["pharmacy_orders", "pharmacyOrders"] as const;

function firstPresent(value: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) if (key in value) return value[key];
  return undefined;
}

const orderObjectSchema = z
  .object({
    uid: z.string().min(1),
    status: z.string().min(1),
    updated_at: time,
    created_at: time,
    name: optionalText,
    shop_order_name: optionalText,
  })
  .passthrough();

/** Parses one order; null when it lacks a uid or a status (it cannot be compared). */
export function parseRxScaleOrder(value: unknown): RxScaleOrderState | null {
  const unwrapped = unwrap(value, ["order", "data"]);
  const parsed = orderObjectSchema.safeParse(unwrapped);
  if (!parsed.success || typeof unwrapped !== "object" || unwrapped === null) return null;
  const raw: Record<string, unknown> = { ...unwrapped };
  const prescriptionsRaw = firstPresent(raw, PRESCRIPTION_KEYS);
  const pharmacyRaw = firstPresent(raw, PHARMACY_ORDER_KEYS);
  const prescriptions = prescriptionsRaw === undefined ? null : entityListSchema.parse(prescriptionsRaw).map(({ uid, status, updated_at }) => ({ uid, status, updatedAt: updated_at }));
  const pharmacyOrders =
    pharmacyRaw === undefined
      ? null
      : entityListSchema.parse(pharmacyRaw).map(({ uid, status, updated_at, pharmacy }) => ({ uid, status, updatedAt: updated_at, pharmacyUid: pharmacy?.uid ?? null, pharmacyName: pharmacy?.name ?? null }));
  return {
    uid: parsed.data.uid,
    status: parsed.data.status,
    updatedAt: parsed.data.updated_at,
    createdAt: parsed.data.created_at,
    shopOrderName: parsed.data.shop_order_name ?? parsed.data.name,
    prescriptions,
    pharmacyOrders,
  };
}

/** A prescription read on its own: its state and its parent order's uid when given. */
export function parseRxScalePrescription(value: unknown): (RxScaleEntityState & { orderUid: string | null }) | null {
  const unwrapped = unwrap(value, ["prescription", "data"]);
  const parsed = entitySchema.safeParse(unwrapped);
  if (!parsed.success || typeof unwrapped !== "object" || unwrapped === null) return null;
  const order: unknown = Reflect.get(unwrapped, "order");
  const orderUid = typeof order === "object" && order !== null ? Reflect.get(order, "uid") : Reflect.get(unwrapped, "order_uid");
  return { uid: parsed.data.uid, status: parsed.data.status, updatedAt: parsed.data.updated_at, orderUid: typeof orderUid === "string" ? orderUid : null };
}

const LIST_KEYS = ["orders", "data", "results", "items"] as const;

export interface RxScaleOrderPage {
  orders: RxScaleOrderState[];
  /** Entries skipped because they had no uid or status. */
  unreadable: number;
  /** How many entries the page held, read or not: a page shorter than the limit is the last. */
  size: number;
  /** From `total`/`count`/`total_count` when the answer says; else null. */
  total: number | null;
  /** From `pages`/`total_pages`/`num_pages`, or `has_more`/`next` when given; null when the answer does not say. */
  hasMore: boolean | null;
}

/** A list answer: a bare array or an object with the list under one of LIST_KEYS. */
export function parseRxScaleOrderPage(value: unknown, page: number): RxScaleOrderPage | null {
  let items: unknown[] | null = Array.isArray(value) ? value : null;
  let meta: Record<string, unknown> = {};
  if (!items && typeof value === "object" && value !== null) {
    meta = { ...value };
    for (const key of LIST_KEYS) {
      const inner = meta[key];
      if (Array.isArray(inner)) {
        items = inner;
        break;
      }
    }
    const pagination = meta.pagination ?? meta.meta;
    if (typeof pagination === "object" && pagination !== null) meta = { ...meta, ...pagination };
  }
  if (!items) return null;
  const orders = items.map(parseRxScaleOrder).filter((order): order is RxScaleOrderState => order !== null);
  const total = numberOf(firstPresent(meta, ["total", "count", "total_count"]));
  const pages = numberOf(firstPresent(meta, ["pages", "total_pages", "num_pages"]));
  const hasMoreRaw = firstPresent(meta, ["has_more", "has_next"]);
  const next = firstPresent(meta, ["next", "next_page"]);
  const hasMore = typeof hasMoreRaw === "boolean" ? hasMoreRaw : pages !== null ? page < pages : next !== undefined ? next !== null && next !== "" : null;
  return { orders, unreadable: items.length - orders.length, size: items.length, total, hasMore };
}

function numberOf(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function unwrap(value: unknown, keys: readonly string[]): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  if ("uid" in value) return value;
  for (const key of keys) {
    const inner: unknown = Reflect.get(value, key);
    if (typeof inner === "object" && inner !== null && !Array.isArray(inner) && "uid" in inner) return inner;
  }
  return value;
}
