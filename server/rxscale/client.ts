import "server-only";
import { z } from "zod";
import { normaliseBaseUrl } from "@/server/rxscale/environments";
import { RxScaleApiError, type RxScaleErrorDetails, type RxScaleErrorKind } from "@/server/rxscale/errors";
import { parseRetryAfter, retryDelayMs } from "@/server/rxscale/retry";
import { parseRxScaleOrder, parseRxScaleOrderPage, parseRxScalePrescription, type RxScaleEntityState, type RxScaleOrderPage, type RxScaleOrderState } from "@/server/rxscale/order-schemas";
import { sharedRequestBudget, type RequestBudget } from "@/server/rxscale/request-budget";
import {
  rxscaleCreatedSubscriptionSchema,
  rxscaleErrorBodySchema,
  rxscaleHealthSchema,
  rxscaleSubscriptionListSchema,
  rxscaleTestResultSchema,
  type RxScaleSubscription,
} from "@/server/rxscale/schemas";

/*
 * Client for RxScale's Management API, notification subscriptions
 * (docs/rxscale.md#notification-subscriptions). Every answer is validated; every failure becomes an
 * RxScaleApiError whose message an admin can act on. The API key travels in
 * the X-API-Key header only: it is never logged, never put in a message, and
 * never sent to another origin (redirects are followed only within the
 * configured origin).
 */

export const MANAGEMENT_PATH = "/v1/management";
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_RETRY_BASE_MS = 500;
/** Computed back-off delays never exceed this. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 8_000;
/** A Retry-After longer than this is not waited for: the call fails as rate_limited and says how long to wait. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 15_000;
const MAX_REDIRECTS = 3;
const MAX_SERVER_MESSAGE_CHARS = 200;

export type DeleteUidPlacement = "path" | "query" | "body";

export interface RxScaleClientOptions {
  /** API host, e.g. https://api.rxscale.com (see resolveRxScaleBaseUrl); /v1/management is appended. */
  baseUrl: string;
  apiKey: string;
  /** Whether paths end in "/" (the docs' curl examples do; docs/rxscale.md#notification-subscriptions). Default true. */
  trailingSlash?: boolean;
  /** Where DELETE puts the subscription uid; undocumented (docs/rxscale.md#notification-subscriptions). Default "path". */
  deleteUidPlacement?: DeleteUidPlacement;
  /** Per request, covering the whole answer. Default 10 s. Timeouts are not retried. */
  timeoutMs?: number;
  /** Retries after a 429, a 5xx, or (for GET and DELETE) no connection. Default 3. */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxDelayMs?: number;
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  /** Shared by every client of the process by default (10/s, 600/min: docs/rxscale.md#rate-limits). */
  budget?: RequestBudget;
  /** For tests: the jitter source and the wait between retries. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type CreateSubscriptionInput = {
  notification_type: string;
  target: string;
  payload_version?: string;
  meta_data?: Record<string, unknown>;
};

export interface CreatedSubscription {
  subscription: RxScaleSubscription;
  /** Shown once by RxScale — store it now. Null when RxScale did not return one (the admin must paste it). */
  signingSecret: string | null;
}

export interface RxScaleHealth {
  /** The `status` field of the answer when it has one (e.g. "ok"). */
  status: string | null;
  latencyMs: number;
}

export type TestEventSelector = { uid: string } | { notification_type: string };

export interface TestEventResult {
  httpStatus: number;
  /** What RxScale said it sent, when its answer says so (the emulator's does; RxScale's is undocumented). */
  deliveries: { deliveryId: string | null; subscriptionUid: string | null; notificationType: string | null; dataUid: string | null }[] | null;
}

/** Filters of GET /orders (docs/rxscale.md#orders-and-prescriptions); times in Unix seconds. */
export interface OrderListFilter {
  page: number;
  limit: number;
  updatedAtFrom?: number;
  updatedAtTo?: number;
  createdAtFrom?: number;
  createdAtTo?: number;
  shopIdentifier?: string;
  shopOrderExternalId?: string;
  search?: string;
}

/** Most orders one page may ask for; RxScale's own maximum is undocumented. */
export const MAX_ORDER_PAGE_LIMIT = 100;

export interface RxScaleClient {
  /** The normalised base URL (no key in it). */
  readonly baseUrl: string;
  /** GET /health/ — reachability only; the docs do not say whether it checks the key. */
  health(): Promise<RxScaleHealth>;
  /** Needs notification_subscription:read. */
  listSubscriptions(): Promise<RxScaleSubscription[]>;
  /** Needs notification_subscription:write. */
  createSubscription(input: CreateSubscriptionInput): Promise<CreatedSubscription>;
  /** Needs notification_subscription:write. */
  deleteSubscription(uid: string): Promise<void>;
  /** Needs notification_subscription:write. */
  sendTestEvent(selector: TestEventSelector): Promise<TestEventResult>;
  /** Needs order:read. One page of orders. */
  listOrders(filter: OrderListFilter): Promise<RxScaleOrderPage>;
  /** Needs order:read (prescriptions only with prescription:read). Null when RxScale has no such order. */
  findOrder(uid: string): Promise<RxScaleOrderState | null>;
  /** Needs prescription:read. Null when RxScale has no such prescription. */
  findPrescription(uid: string): Promise<(RxScaleEntityState & { orderUid: string | null }) | null>;
}

type Permission = "notification_subscription:read" | "notification_subscription:write" | "order:read" | "prescription:read";

interface Operation {
  /** For messages: "list subscriptions". */
  name: string;
  method: "GET" | "POST" | "DELETE";
  /** Below /v1/management, without trailing slash. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  permission: Permission | null;
  /** A 404 means "no such subscription" rather than "wrong base URL". */
  notFoundMessage?: string;
}

interface Answer {
  status: number;
  text: string;
  latencyMs: number;
  attempts: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "10 s", "2.5 s", "300 ms". */
function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const value = ms / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`;
}

/**
 * Creates a client. Throws an Error (not an RxScaleApiError: nothing was
 * sent) when the base URL or the key is unusable.
 */
export function createRxScaleClient(options: RxScaleClientOptions): RxScaleClient {
  const baseUrl = normaliseBaseUrl(options.baseUrl);
  const apiKey = options.apiKey.trim();
  if (apiKey === "") throw new Error("An RxScale API key is required.");
  if (/[\r\n]/.test(apiKey)) throw new Error("The RxScale API key contains a line break; paste it again.");
  const trailingSlash = options.trailingSlash ?? true;
  const deleteUidPlacement = options.deleteUidPlacement ?? "path";
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
  const policy = { baseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS, maxMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS };
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const fetchImpl = options.fetch ?? fetch;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const budget = options.budget ?? sharedRequestBudget();
  const origin = new URL(baseUrl).origin;

  /** The server's own words, shortened, with the key removed should it ever be echoed. */
  const serverMessage = (text: string): { message: string | null; field?: string; uid?: string } => {
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      return { message: null };
    }
    const body = rxscaleErrorBodySchema.parse(json);
    const candidate = [body.error, body.message, body.detail].find((value) => typeof value === "string" || (typeof value === "object" && value !== null));
    const raw = typeof candidate === "string" ? candidate : candidate === undefined ? null : JSON.stringify(candidate);
    const cleaned = raw === null ? null : raw.replaceAll(apiKey, "[api key]").replaceAll(/[\u0000-\u001f]/g, " ").slice(0, MAX_SERVER_MESSAGE_CHARS);
    return { message: cleaned, field: body.field, uid: body.uid };
  };

  const fail = (kind: RxScaleErrorKind, message: string, operation: Operation, extra: { status?: number | null; attempts?: number; retryAfterSeconds?: number | null; details?: RxScaleErrorDetails } = {}): RxScaleApiError =>
    new RxScaleApiError({ kind, message, operation: operation.name, ...extra });

  const urlFor = (operation: Operation): string => {
    const url = new URL(`${baseUrl}${MANAGEMENT_PATH}${operation.path}${trailingSlash ? "/" : ""}`);
    for (const [key, value] of Object.entries(operation.query ?? {})) url.searchParams.set(key, value);
    return url.href;
  };

  /** One HTTP exchange, following same-origin redirects; the timeout covers reading the body. */
  const exchange = async (operation: Operation, attempts: number): Promise<{ status: number; text: string; headers: Headers }> => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      let url = urlFor(operation);
      let method: string = operation.method;
      let body = operation.body === undefined ? undefined : JSON.stringify(operation.body);
      for (let redirects = 0; ; redirects += 1) {
        const headers: Record<string, string> = { accept: "application/json", "x-api-key": apiKey, "user-agent": "RxWatch" };
        if (body !== undefined) headers["content-type"] = "application/json";
        await budget.take();
        const response = await fetchImpl(url, { method, headers, body, signal: controller.signal, redirect: "manual" });
        const location = response.headers.get("location");
        if (response.status >= 300 && response.status < 400 && location !== null) {
          await response.body?.cancel();
          const next = new URL(location, url);
          // The key must not follow a redirect to another host; within the origin (e.g. a slash redirect) it may.
          if (next.origin !== origin || redirects >= MAX_REDIRECTS) {
            throw fail("malformed_response", `RxScale redirected "${operation.name}" to ${next.origin}${next.pathname} — check the base URL (${baseUrl}); RxWatch does not send the API key to another address.`, operation, { status: response.status, attempts });
          }
          if (response.status === 303 || ((response.status === 301 || response.status === 302) && method !== "GET")) {
            method = "GET";
            body = undefined;
          }
          url = next.href;
          continue;
        }
        return { status: response.status, text: await response.text(), headers: response.headers };
      }
    } catch (error) {
      if (error instanceof RxScaleApiError) throw error;
      if (timedOut) throw fail("timeout", `RxScale did not answer within ${duration(timeoutMs)} (${operation.name}) — try again; if it keeps happening, check the network path to ${origin}.`, operation, { attempts });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  /** Sends `operation`, retrying what the rules allow, and returns the first 2xx answer. */
  const send = async (operation: Operation): Promise<Answer> => {
    const started = Date.now();
    for (let attempt = 1; ; attempt += 1) {
      const canRetry = attempt <= maxRetries;
      let answer: { status: number; text: string; headers: Headers };
      try {
        answer = await exchange(operation, attempt);
      } catch (error) {
        if (error instanceof RxScaleApiError) throw error;
        // No HTTP answer. Repeating a GET or DELETE is harmless; a POST may have been carried out.
        const code = networkCode(error);
        if (canRetry && operation.method !== "POST") {
          await sleep(retryDelayMs(attempt - 1, policy, null, random));
          continue;
        }
        throw fail("unreachable", `Could not reach RxScale at ${origin} (${code}) — check the base URL and that this server can open outbound HTTPS connections.`, operation, { attempts: attempt });
      }

      const { status, text, headers } = answer;
      if (status >= 200 && status < 300) return { status, text, latencyMs: Date.now() - started, attempts: attempt };

      const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
      const retryAfterSeconds = retryAfterMs === null ? null : Math.ceil(retryAfterMs / 1000);
      if (status === 429 || status >= 500) {
        const isRetryAfterAcceptable = retryAfterMs === null || retryAfterMs <= maxRetryAfterMs;
        if (canRetry && isRetryAfterAcceptable) {
          const delay = retryDelayMs(attempt - 1, policy, retryAfterMs, random);
          // Every caller backs off, not only this one: they share the key's limit.
          if (status === 429) budget.pause(delay);
          await sleep(delay);
          continue;
        }
        if (status === 429) {
          const message = isRetryAfterAcceptable
            ? `RxScale's rate limit (10 requests per second, 600 per minute) was still exceeded after ${attempt} attempts — wait a minute and try again.`
            : `RxScale's rate limit was exceeded and it asks to wait ${retryAfterSeconds ?? "?"} s — try again after that.`;
          throw fail("rate_limited", message, operation, { status, attempts: attempt, retryAfterSeconds });
        }
        throw fail("server_error", `RxScale had an internal error (HTTP ${status}) ${attempt === 1 ? "" : `on all ${attempt} attempts `}while trying to ${operation.name} — try again later.`, operation, { status, attempts: attempt, retryAfterSeconds });
      }
      throw clientError(operation, status, text, attempt);
    }
  };

  const clientError = (operation: Operation, status: number, text: string, attempts: number): RxScaleApiError => {
    const said = serverMessage(text);
    if (status === 401) {
      return fail("unauthorized", "RxScale rejected the API key (401) — check that it was copied completely, is still active, and belongs to this environment (production and sandbox keys differ).", operation, { status, attempts });
    }
    if (status === 403) {
      const message = operation.permission
        ? `The API key lacks ${operation.permission} — create a key with that permission in RxScale.`
        : `RxScale refused to ${operation.name} (403 ${said.message ?? "Permission Denied"}) — check the API key's permissions in RxScale.`;
      return fail("forbidden", message, operation, { status, attempts });
    }
    if (status === 404) {
      const message = operation.notFoundMessage ?? `RxScale answered 404 Not Found to "${operation.name}" — check the base URL (${baseUrl}); it should be the API host, such as https://api.rxscale.com.`;
      return fail("not_found", message, operation, { status, attempts });
    }
    const details: RxScaleErrorDetails = {};
    if (said.field) details.field = said.field;
    if (said.uid) details.existingUid = said.uid;
    const reason = said.message ?? `HTTP ${status}`;
    const message = status === 409 ? `RxScale refused to ${operation.name}: ${reason} (409 Conflict).` : `RxScale refused to ${operation.name}: ${reason}.`;
    return fail("validation", message, operation, { status, attempts, details });
  };

  /** Parses a 2xx body with `schema`; anything else is a malformed_response naming the first problem. */
  const parse = <T>(operation: Operation, answer: Answer, schema: z.ZodType<T>): T => {
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      throw fail("malformed_response", `RxScale's answer to "${operation.name}" was not JSON — check that the base URL (${baseUrl}) points at RxScale's Management API.`, operation, { status: answer.status, attempts: answer.attempts });
    }
    const result = schema.safeParse(json);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "the answer";
    throw fail("malformed_response", `RxScale's answer to "${operation.name}" does not have the documented shape (${where}: ${issue?.message ?? "invalid"}) — check the base URL (${baseUrl}); the API may have changed.`, operation, { status: answer.status, attempts: answer.attempts });
  };

  /** A 2xx body as JSON; not JSON is a malformed_response. */
  const json = (operation: Operation, answer: Answer): unknown => parse(operation, answer, z.unknown());

  const notFoundAsNull = async <T>(work: () => Promise<T>): Promise<T | null> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof RxScaleApiError && error.kind === "not_found") return null;
      throw error;
    }
  };

  return {
    baseUrl,

    async listOrders(filter) {
      const query: Record<string, string> = { page: String(filter.page), limit: String(Math.min(filter.limit, MAX_ORDER_PAGE_LIMIT)) };
      const isoOf = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000).toISOString());
      const optional: Record<string, string | undefined> = {
        updated_at_from: isoOf(filter.updatedAtFrom),
        updated_at_to: isoOf(filter.updatedAtTo),
        created_at_from: isoOf(filter.createdAtFrom),
        created_at_to: isoOf(filter.createdAtTo),
        shop_identifier: filter.shopIdentifier,
        shop_order_external_id: filter.shopOrderExternalId,
        search: filter.search,
      };
      for (const [key, value] of Object.entries(optional)) if (value !== undefined) query[key] = value;
      const operation: Operation = { name: "list orders", method: "GET", path: "/orders", query, permission: "order:read" };
      const answer = await send(operation);
      const page = parseRxScaleOrderPage(json(operation, answer), filter.page);
      if (!page) throw fail("malformed_response", `RxScale's answer to "list orders" holds no list of orders — check the base URL (${baseUrl}); the API may have changed.`, operation, { status: answer.status, attempts: answer.attempts });
      return page;
    },

    async findOrder(uid) {
      const operation: Operation = { name: "read an order", method: "GET", path: `/orders/${encodeURIComponent(uid)}`, permission: "order:read", notFoundMessage: `RxScale has no order ${uid}.` };
      return notFoundAsNull(async () => {
        const answer = await send(operation);
        const order = parseRxScaleOrder(json(operation, answer));
        if (!order) throw fail("malformed_response", `RxScale's answer to "read an order" has no uid or status — the API may have changed.`, operation, { status: answer.status, attempts: answer.attempts });
        return order;
      });
    },

    async findPrescription(uid) {
      const operation: Operation = { name: "read a prescription", method: "GET", path: `/prescriptions/${encodeURIComponent(uid)}`, permission: "prescription:read", notFoundMessage: `RxScale has no prescription ${uid}.` };
      return notFoundAsNull(async () => {
        const answer = await send(operation);
        const prescription = parseRxScalePrescription(json(operation, answer));
        if (!prescription) throw fail("malformed_response", `RxScale's answer to "read a prescription" has no uid or status — the API may have changed.`, operation, { status: answer.status, attempts: answer.attempts });
        return prescription;
      });
    },

    async health() {
      const operation: Operation = { name: "check the connection", method: "GET", path: "/health", permission: null };
      const answer = await send(operation);
      let json: unknown = null;
      try {
        json = JSON.parse(answer.text);
      } catch {
        // Health pages may answer plain text; a 2xx is what counts.
      }
      return { status: rxscaleHealthSchema.parse(json).status ?? null, latencyMs: answer.latencyMs };
    },

    async listSubscriptions() {
      const operation: Operation = { name: "list subscriptions", method: "GET", path: "/notification-subscriptions", permission: "notification_subscription:read" };
      return parse(operation, await send(operation), rxscaleSubscriptionListSchema);
    },

    async createSubscription(input) {
      const body: Record<string, unknown> = { notification_type: input.notification_type, target: input.target };
      if (input.payload_version !== undefined) body.payload_version = input.payload_version;
      if (input.meta_data !== undefined) body.meta_data = input.meta_data;
      const operation: Operation = { name: "create the subscription", method: "POST", path: "/notification-subscriptions", body, permission: "notification_subscription:write" };
      try {
        const { signing_secret: signingSecret, ...subscription } = parse(operation, await send(operation), rxscaleCreatedSubscriptionSchema);
        return { subscription, signingSecret };
      } catch (error) {
        // A 5xx followed by a 409 means an earlier attempt may well have created it — with a secret nobody saw.
        if (error instanceof RxScaleApiError && error.status === 409 && error.attempts > 1) {
          throw new RxScaleApiError({
            kind: "validation",
            message: `RxScale already has this subscription, probably created by an earlier attempt that failed on RxScale's side; its signing secret was not received. Delete the subscription and create it again.`,
            operation: error.operation,
            status: 409,
            attempts: error.attempts,
            details: error.details,
          });
        }
        throw error;
      }
    },

    async deleteSubscription(uid) {
      const notFoundMessage = `RxScale has no subscription ${uid} — it may have been deleted already.`;
      const base = { name: "delete the subscription", method: "DELETE" as const, permission: "notification_subscription:write" as const, notFoundMessage };
      const operation: Operation =
        deleteUidPlacement === "path"
          ? { ...base, path: `/notification-subscriptions/${encodeURIComponent(uid)}` }
          : deleteUidPlacement === "query"
            ? { ...base, path: "/notification-subscriptions", query: { uid } }
            : { ...base, path: "/notification-subscriptions", body: { uid } };
      await send(operation);
    },

    async sendTestEvent(selector) {
      const notFoundMessage = "uid" in selector ? `RxScale has no subscription ${selector.uid} to test.` : `RxScale has no subscription for ${selector.notification_type} to test.`;
      const body = "uid" in selector ? { uid: selector.uid } : { notification_type: selector.notification_type };
      const operation: Operation = { name: "send a test event", method: "POST", path: "/notification-subscriptions/test", body, permission: "notification_subscription:write", notFoundMessage };
      const answer = await send(operation);
      let json: unknown = null;
      try {
        json = JSON.parse(answer.text);
      } catch {
        // The answer's shape is undocumented; an empty or non-JSON 2xx still means "sent".
      }
      const parsed = rxscaleTestResultSchema.parse(json);
      return {
        httpStatus: answer.status,
        deliveries:
          parsed.deliveries?.map((delivery) => ({
            deliveryId: delivery.delivery_id ?? null,
            subscriptionUid: delivery.subscription_uid ?? null,
            notificationType: delivery.notification_type ?? null,
            dataUid: delivery.data_uid ?? null,
          })) ?? null,
      };
    },
  };
}

/** The most specific code of a fetch failure (undici hides it in `cause`). Never a message: those can quote URLs. */
function networkCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    if ("code" in current && typeof current.code === "string") return current.code;
    current = current.cause;
  }
  return error instanceof Error ? error.name : "network error";
}
