import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiKey, EmulatorConfig, Permission } from "./config";
import type { Dispatcher } from "./dispatch";
import { isPlainObject, normalisePath, readJsonBody, sendEmpty, sendJson, type BodyResult } from "./http-io";
import type { EmulatorLogger } from "./log";
import { describeTarget } from "./log";
import { randomHex } from "./orders";
import type { Random } from "./random";
import type { RateLimiter } from "./rate-limiter";
import { viewOf, type Subscription, type SubscriptionStore } from "./subscriptions";

/*
 * RxScale's Management API, subscription subset (docs/rxscale.md#notification-subscriptions): health and
 * notification subscriptions under /v1/management. Checks run in the order a
 * client would meet them: route (404/405) → API key (401) → rate limit (429)
 * → permission (403) → body (400) → the operation. Every error body is
 * `{"error": "…"}` as the docs show for 403 and 429; validation errors also
 * name the `field`.
 */

export const MANAGEMENT_BASE_PATH = "/v1/management";
const SUBSCRIPTIONS_PATH = `${MANAGEMENT_BASE_PATH}/notification-subscriptions`;
const MAX_NOTIFICATION_TYPE_LENGTH = 120;
const MAX_TARGET_LENGTH = 2_048;

export interface ManagementDeps {
  config: Pick<EmulatorConfig, "apiKeys" | "allowHttpTargets" | "returnSigningSecret" | "testOnCreate" | "testOnCreateDelayMs">;
  subscriptions: SubscriptionStore;
  rateLimiter: RateLimiter;
  dispatcher: Dispatcher;
  random: Random;
  log: EmulatorLogger;
  now: () => number;
  /** Whether deliveries of this event type are stopped (the drop fault's event type): test deliveries are lost too. */
  isTypeStopped?: (eventType: string) => boolean;
}

type Route = { name: "health" } | { name: "subscriptions" } | { name: "subscription"; uid: string } | { name: "test" };

const ALLOWED_METHODS: Record<Route["name"], string[]> = {
  health: ["GET"],
  subscriptions: ["GET", "POST", "DELETE"],
  subscription: ["DELETE"],
  test: ["POST"],
};

const REQUIRED_PERMISSION: Record<string, Permission> = {
  "GET subscriptions": "notification_subscription:read",
  "POST subscriptions": "notification_subscription:write",
  "DELETE subscriptions": "notification_subscription:write",
  "DELETE subscription": "notification_subscription:write",
  "POST test": "notification_subscription:write",
};

function matchRoute(pathname: string): Route | null {
  const path = normalisePath(pathname);
  if (path === `${MANAGEMENT_BASE_PATH}/health`) return { name: "health" };
  if (path === SUBSCRIPTIONS_PATH) return { name: "subscriptions" };
  if (path === `${SUBSCRIPTIONS_PATH}/test`) return { name: "test" };
  const prefix = `${SUBSCRIPTIONS_PATH}/`;
  if (path.startsWith(prefix) && !path.slice(prefix.length).includes("/")) return { name: "subscription", uid: decodeURIComponent(path.slice(prefix.length)) };
  return null;
}

/** True when the request is for the Management API (this handler answers it). */
export function isManagementPath(pathname: string): boolean {
  return pathname === MANAGEMENT_BASE_PATH || pathname.startsWith(`${MANAGEMENT_BASE_PATH}/`);
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

export type FieldCheck<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** The create body, checked field by field so the error names the field (never echoing its value). */
export function validateCreateBody(body: unknown, allowHttpTargets: EmulatorConfig["allowHttpTargets"]): FieldCheck<{ notification_type: string; target: string; payload_version: string; meta_data: Record<string, unknown> | null }> {
  if (!isPlainObject(body)) return { ok: false, field: "(body)", message: "must be a JSON object" };
  const type = body.notification_type;
  if (type === undefined || type === null) return { ok: false, field: "notification_type", message: "is required" };
  if (typeof type !== "string") return { ok: false, field: "notification_type", message: "must be a string" };
  if (type.trim() === "") return { ok: false, field: "notification_type", message: "must not be empty" };
  if (type.length > MAX_NOTIFICATION_TYPE_LENGTH) return { ok: false, field: "notification_type", message: `must be at most ${MAX_NOTIFICATION_TYPE_LENGTH} characters` };
  const target = body.target;
  if (target === undefined || target === null) return { ok: false, field: "target", message: "is required" };
  if (typeof target !== "string") return { ok: false, field: "target", message: "must be a string" };
  if (target.length > MAX_TARGET_LENGTH) return { ok: false, field: "target", message: `must be at most ${MAX_TARGET_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, field: "target", message: "must be an absolute URL" };
  }
  const isHttpAllowed = allowHttpTargets === "always" || (allowHttpTargets === "loopback" && isLoopbackHost(url.hostname));
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isHttpAllowed)) return { ok: false, field: "target", message: "must be an https URL" };
  const version = body.payload_version;
  if (version !== undefined && version !== null && typeof version !== "string") return { ok: false, field: "payload_version", message: "must be a string" };
  if (typeof version === "string" && version !== "1") return { ok: false, field: "payload_version", message: 'is not supported (only "1" exists)' };
  const meta = body.meta_data;
  if (meta !== undefined && meta !== null && !isPlainObject(meta)) return { ok: false, field: "meta_data", message: "must be an object" };
  return { ok: true, value: { notification_type: type, target, payload_version: "1", meta_data: isPlainObject(meta) ? meta : null } };
}

function fieldError(response: ServerResponse, field: string, message: string): void {
  sendJson(response, 400, { error: `${field}: ${message}`, field });
}

/** Answers one Management API request. */
export async function handleManagementRequest(request: IncomingMessage, response: ServerResponse, url: URL, deps: ManagementDeps): Promise<void> {
  const route = matchRoute(url.pathname);
  if (!route) return sendJson(response, 404, { error: "Not found" });
  const method = request.method ?? "GET";
  const allowed = ALLOWED_METHODS[route.name];
  if (!allowed.includes(method)) return sendJson(response, 405, { error: "Method not allowed" }, { allow: allowed.join(", ") });

  // [GAP] The docs do not say whether health needs a key; the emulator answers without one.
  if (route.name === "health") return sendJson(response, 200, { status: "ok" });

  const key = authenticate(request, deps.config.apiKeys);
  if (!key) return sendJson(response, 401, { error: "Invalid or missing API key" });
  const decision = deps.rateLimiter.check(key.key);
  if (!decision.allowed) return sendJson(response, 429, { error: "Rate limit exceeded" }, { "retry-after": String(decision.retryAfterSeconds) });
  const permission = REQUIRED_PERMISSION[`${method} ${route.name}`];
  if (permission && !key.permissions.includes(permission)) return sendJson(response, 403, { error: "Permission Denied" });

  const body = method === "GET" ? ({ kind: "empty" } as const) : await readJsonBody(request);
  if (body.kind === "too_large") return sendJson(response, 413, { error: "Request body too large" });
  if (body.kind === "invalid_json") return sendJson(response, 400, { error: "Request body must be valid JSON" });

  switch (route.name) {
    case "subscriptions":
      if (method === "GET") return sendJson(response, 200, deps.subscriptions.list().map(viewOf));
      if (method === "POST") return createSubscription(response, body, deps);
      return deleteSubscription(response, url.searchParams.get("uid") ?? uidInBody(body), deps);
    case "subscription":
      return deleteSubscription(response, route.uid, deps);
    case "test":
      return sendTest(response, body, deps);
  }
}

function authenticate(request: IncomingMessage, keys: readonly ApiKey[]): ApiKey | null {
  const header = request.headers["x-api-key"];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return null;
  return keys.find((candidate) => candidate.key === value) ?? null;
}

function uidInBody(body: BodyResult): string | null {
  if (body.kind !== "json" || !isPlainObject(body.value)) return null;
  return typeof body.value.uid === "string" ? body.value.uid : null;
}

function createSubscription(response: ServerResponse, body: BodyResult, deps: ManagementDeps): void {
  const checked = validateCreateBody(body.kind === "json" ? body.value : undefined, deps.config.allowHttpTargets);
  if (!checked.ok) return fieldError(response, checked.field, checked.message);
  const result = deps.subscriptions.create(checked.value);
  if (result.kind === "duplicate") {
    return sendJson(response, 409, { error: "A subscription for this notification_type and target already exists", uid: result.existing.uid });
  }
  const { subscription } = result;
  deps.log.info(`subscription ${subscription.uid} created: ${subscription.notification_type} → ${describeTarget(subscription.target)}`);
  // Without the secret in the answer, the emulator's own output stands in for RxScale's portal (the controls never show secrets).
  if (!deps.config.returnSigningSecret) deps.log.info(`subscription ${subscription.uid} signing secret (not in the 201): ${subscription.signing_secret}`);
  if (deps.config.testOnCreate) {
    // RxScale sends a test event after registration (docs/rxscale.md#delivery-and-retries); a moment later, so the receiver can store the secret first.
    const timer = setTimeout(() => {
      if (deps.subscriptions.find(subscription.uid)) sendTestDelivery(subscription, deps);
    }, deps.config.testOnCreateDelayMs);
    timer.unref();
  }
  const view = viewOf(subscription);
  sendJson(response, 201, deps.config.returnSigningSecret ? { ...view, signing_secret: subscription.signing_secret } : view);
}

function deleteSubscription(response: ServerResponse, uid: string | null, deps: ManagementDeps): void {
  if (uid === null || uid.trim() === "") return fieldError(response, "uid", "is required (in the path, the query string or a JSON body)");
  const removed = deps.subscriptions.delete(uid);
  if (!removed) return sendJson(response, 404, { error: "Subscription not found" });
  deps.log.info(`subscription ${removed.uid} deleted (${removed.notification_type})`);
  sendEmpty(response, 204);
}

function sendTest(response: ServerResponse, body: BodyResult, deps: ManagementDeps): void {
  const value = body.kind === "json" ? body.value : undefined;
  if (!isPlainObject(value)) return fieldError(response, "uid", "or notification_type is required");
  let subscriptions: Subscription[];
  if (typeof value.uid === "string" && value.uid !== "") {
    const subscription = deps.subscriptions.find(value.uid);
    if (!subscription) return sendJson(response, 404, { error: "Subscription not found" });
    subscriptions = [subscription];
  } else if (typeof value.notification_type === "string" && value.notification_type !== "") {
    subscriptions = deps.subscriptions.forType(value.notification_type);
    if (subscriptions.length === 0) return sendJson(response, 404, { error: "No subscription for this notification_type" });
  } else {
    return fieldError(response, "uid", "or notification_type is required");
  }
  const deliveries = subscriptions.map((subscription) => sendTestDelivery(subscription, deps));
  sendJson(response, 202, { status: "queued", deliveries });
}

/**
 * [GAP] The test event's shape is undocumented. The emulator sends the
 * subscription's own event type with a minimal `data`: a `test-…` uid and
 * `test: true`, so a receiver can tell it from real traffic.
 */
function sendTestDelivery(subscription: Subscription, deps: ManagementDeps): { delivery_id: string; subscription_uid: string; notification_type: string; target: string; data_uid: string } {
  const dataUid = `test-${randomHex(deps.random, 12)}`;
  const event = {
    eventType: subscription.notification_type,
    timestamp: Math.floor(deps.now() / 1000),
    data: { uid: dataUid, test: true, subscription_uid: subscription.uid, message: "Test delivery from the RxScale emulator" },
  };
  if (deps.isTypeStopped?.(subscription.notification_type)) {
    deps.log.info(`test delivery for ${subscription.uid} not sent: deliveries of ${subscription.notification_type} are stopped [drop]`);
    return { delivery_id: "", subscription_uid: subscription.uid, notification_type: subscription.notification_type, target: subscription.target, data_uid: dataUid };
  }
  const [record] = deps.dispatcher.deliverTo([{ target: subscription.target, signingSecret: subscription.signing_secret, subscriptionUid: subscription.uid }], event, "test", { forced: {} });
  return { delivery_id: record?.id ?? "", subscription_uid: subscription.uid, notification_type: subscription.notification_type, target: subscription.target, data_uid: dataUid };
}
