import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiKey, Permission } from "./config";
import { normalisePath, sendJson } from "./http-io";
import { MANAGEMENT_BASE_PATH } from "./management-api";
import type { BookOrder, OrderBook } from "./order-book";
import type { RateLimiter } from "./rate-limiter";

/*
 * The Management API's orders and prescriptions read endpoints
 * (docs/rxscale.md#orders-and-prescriptions), served from the order book. Only
 * paths, filters and permissions are documented; the answer's shape is the
 * emulator's choice (docs/emulator.md#orders-api). Checks run as in
 * management-api.ts: route → key (401) → rate limit (429) → permission (403).
 */

const ORDERS_PATH = `${MANAGEMENT_BASE_PATH}/orders`;
const PRESCRIPTIONS_PATH = `${MANAGEMENT_BASE_PATH}/prescriptions`;
export const DEFAULT_ORDER_PAGE_LIMIT = 20;
export const MAX_ORDER_PAGE_LIMIT = 100;

export interface OrdersApiDeps {
  apiKeys: readonly ApiKey[];
  rateLimiter: RateLimiter;
  book: OrderBook;
}

type Route = { name: "orders" } | { name: "order"; uid: string } | { name: "prescription"; uid: string };

function matchRoute(pathname: string): Route | null {
  const path = normalisePath(pathname);
  if (path === ORDERS_PATH) return { name: "orders" };
  for (const [prefix, name] of [
    [`${ORDERS_PATH}/`, "order"],
    [`${PRESCRIPTIONS_PATH}/`, "prescription"],
  ] as const) {
    const rest = path.startsWith(prefix) ? path.slice(prefix.length) : "";
    if (rest !== "" && !rest.includes("/")) return { name, uid: decodeURIComponent(rest) };
  }
  return null;
}

/** True when this handler answers the path. */
export function isOrdersApiPath(pathname: string): boolean {
  return matchRoute(pathname) !== null;
}

function keyOf(request: IncomingMessage, keys: readonly ApiKey[]): ApiKey | null {
  const header = request.headers["x-api-key"];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  return value ? (keys.find((candidate) => candidate.key === value) ?? null) : null;
}

/** A time filter as unix seconds: ISO dates and unix seconds are both accepted; undefined when absent, null when unreadable. */
export function timeFilter(value: string | null): number | null | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : Math.floor(parsed / 1000);
}

function positive(value: string | null, fallback: number): number | null {
  if (value === null || value === "") return fallback;
  return /^\d+$/.test(value) && Number(value) >= 1 ? Number(value) : null;
}

/** An order as the emulator's API shows it; prescriptions only for keys with prescription:read, as RxScale documents. */
export function orderView(order: BookOrder, withPrescriptions: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    uid: order.uid,
    status: order.status,
    name: order.name,
    created_at: order.created_at,
    updated_at: order.updated_at,
    pharmacy_orders: [...order.pharmacyOrders.values()].map((entity) => ({ ...entity })),
  };
  if (withPrescriptions) view.prescriptions = [...order.prescriptions.values()].map((entity) => ({ ...entity }));
  return view;
}

export function handleOrdersApiRequest(request: IncomingMessage, response: ServerResponse, url: URL, deps: OrdersApiDeps): void {
  const route = matchRoute(url.pathname);
  if (!route) return sendJson(response, 404, { error: "Not found" });
  if (request.method !== "GET") return sendJson(response, 405, { error: "Method not allowed" }, { allow: "GET" });
  const key = keyOf(request, deps.apiKeys);
  if (!key) return sendJson(response, 401, { error: "Invalid or missing API key" });
  const decision = deps.rateLimiter.check(key.key);
  if (!decision.allowed) return sendJson(response, 429, { error: "Rate limit exceeded" }, { "retry-after": String(decision.retryAfterSeconds) });
  const needed: Permission = route.name === "prescription" ? "prescription:read" : "order:read";
  if (!key.permissions.includes(needed)) return sendJson(response, 403, { error: "Permission Denied" });
  const withPrescriptions = key.permissions.includes("prescription:read");

  if (route.name === "order") {
    const order = deps.book.find(route.uid);
    return order ? sendJson(response, 200, orderView(order, withPrescriptions)) : sendJson(response, 404, { error: "Order not found" });
  }
  if (route.name === "prescription") {
    const found = deps.book.findPrescription(route.uid);
    return found ? sendJson(response, 200, { ...found.prescription, order: { uid: found.orderUid } }) : sendJson(response, 404, { error: "Prescription not found" });
  }

  const params = url.searchParams;
  const page = positive(params.get("page"), 1);
  const limit = positive(params.get("limit"), DEFAULT_ORDER_PAGE_LIMIT);
  if (page === null) return sendJson(response, 400, { error: "page: must be a positive integer", field: "page" });
  if (limit === null || limit > MAX_ORDER_PAGE_LIMIT) return sendJson(response, 400, { error: `limit: must be between 1 and ${MAX_ORDER_PAGE_LIMIT}`, field: "limit" });
  const bounds: Record<string, number | undefined> = {};
  for (const name of ["created_at_from", "created_at_to", "updated_at_from", "updated_at_to"]) {
    const value = timeFilter(params.get(name));
    if (value === null) return sendJson(response, 400, { error: `${name}: must be an ISO date or unix seconds`, field: name });
    bounds[name] = value;
  }
  const externalId = params.get("shop_order_external_id");
  const search = params.get("search")?.trim().toLowerCase();
  const within = (value: number, from: number | undefined, to: number | undefined) => (from === undefined || value >= from) && (to === undefined || value <= to);
  const matching = deps.book.list().filter(
    (order) =>
      within(order.created_at, bounds.created_at_from, bounds.created_at_to) &&
      within(order.updated_at, bounds.updated_at_from, bounds.updated_at_to) &&
      (!externalId || order.name === externalId) &&
      (!search || order.uid.toLowerCase().includes(search) || (order.name ?? "").toLowerCase().includes(search)),
  );
  const pages = Math.max(1, Math.ceil(matching.length / limit));
  const orders = matching.slice((page - 1) * limit, page * limit).map((order) => orderView(order, withPrescriptions));
  sendJson(response, 200, { orders, page, limit, total: matching.length, pages });
}
