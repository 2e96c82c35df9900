import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { faultRatesSchema, PRESETS, type FaultRates, type PartialFaultRates, type Preset } from "./config";
import type { DeliveryRecord, DeliveryStatus } from "./delivery";
import type { ForcedFaults } from "./dispatch";
import { isPlainObject, normalisePath, readJsonBody, sendJson } from "./http-io";

/*
 * The emulator's own controls under /_emulator: inspect state and deliveries,
 * change fault rates, pause and resume the traffic generator, send a burst or
 * one custom event. They steer what RxWatch receives, so they are guarded
 * like an admin API (docs/emulator.md#controls): a bearer token, a Host that
 * names this emulator (no DNS rebinding), no Origin but its own (no
 * cross-site request from a browser) and JSON bodies only (a cross-site form
 * or text/plain POST cannot be one). Signing secrets never leave through them:
 * the Management API hands a secret to whoever creates the subscription.
 */

export const CONTROL_BASE_PATH = "/_emulator";

/** Body of POST /_emulator/send (snake_case like everything on the wire). */
export const sendRequestSchema = z
  .object({
    event_type: z.string().min(1),
    data: z.record(z.string(), z.unknown()).default({}),
    /** Unix seconds; now when absent. */
    timestamp: z.number().int().nonnegative().optional(),
    payload_version: z.string().min(1).optional(),
    /** Sent (and signed) instead of the envelope built from the fields above. */
    raw_body: z.string().optional(),
    /** Deliver to this subscription only (whatever its type). */
    subscription_uid: z.string().min(1).optional(),
    /** Deliver to this URL directly, signed with `signing_secret` (or the secret of a subscription with this target). */
    target: z.url().optional(),
    signing_secret: z.string().min(1).optional(),
    /** Faults for this delivery; none when absent (random faults never apply to /send). */
    faults: z
      .object({ duplicate: z.boolean().optional(), wrong_signature: z.boolean().optional(), malformed_body: z.boolean().optional(), delayed_retry: z.boolean().optional() })
      .optional(),
    /** Answer only once every delivery is delivered, failed or abandoned. */
    wait: z.boolean().default(false),
  })
  .refine((value) => !(value.subscription_uid && value.target), { message: "give subscription_uid or target, not both", path: ["target"] });
export type SendRequest = z.input<typeof sendRequestSchema>;

export type SendResult = { ok: true; deliveries: DeliveryRecord[] } | { ok: false; status: 400 | 404; error: string };

/** What the control endpoints need from the running emulator. */
export interface ControlDeps {
  state: () => unknown;
  deliveries: (filter: { status?: DeliveryStatus; eventType?: string; limit?: number }) => DeliveryRecord[];
  findDelivery: (id: string) => DeliveryRecord | undefined;
  setFaults: (patch: PartialFaultRates, preset?: Preset) => FaultRates;
  burst: (count: number) => number;
  pause: () => void;
  resume: () => void;
  isPaused: () => boolean;
  /** Holds every delivery attempt that comes due instead of sending it. */
  hold: () => void;
  /** Sends every held attempt at once; returns how many. */
  release: () => number;
  send: (request: z.output<typeof sendRequestSchema>) => SendResult;
  waitFor: (records: DeliveryRecord[]) => Promise<DeliveryRecord[]>;
  /** Gives a subscription a new signing secret (the given one, or a random one); false when it does not exist. */
  rotateSecret: (uid: string, signingSecret?: string) => boolean;
  /** Deletes a subscription without telling its receiver; false when it does not exist. */
  deleteSubscription: (uid: string) => boolean;
  /** Sets the drop faults (a share of events, or every event of one type, never delivered) and returns them. */
  setDrops: (patch: { rate?: number; eventType?: string | null }) => { rate: number; eventType: string | null };
}

const MAX_BURST = 1_000;
const faultsRequestSchema = faultRatesSchema.extend({ preset: z.enum(PRESETS).optional() }).strict();
const rotateRequestSchema = z.object({ signing_secret: z.string().min(8).max(512).optional() });
const dropsRequestSchema = z.object({ rate: z.number().min(0).max(1).optional(), event_type: z.string().min(1).max(120).nullable().optional() }).strict();
const burstRequestSchema = z.object({ count: z.number().int().min(1).max(MAX_BURST).default(10) });
const deliveryQuerySchema = z.object({
  status: z.enum(["pending", "delivered", "failed", "abandoned"]).optional(),
  event_type: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

/** Forced faults in the dispatcher's terms. */
export function forcedFaultsOf(faults: z.output<typeof sendRequestSchema>["faults"]): ForcedFaults {
  return { duplicate: faults?.duplicate ?? false, wrongSignature: faults?.wrong_signature ?? false, malformedBody: faults?.malformed_body ?? false, delayedRetry: faults?.delayed_retry ?? false };
}

function zodError(response: ServerResponse, error: z.ZodError): void {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "(body)";
  sendJson(response, 400, { error: `${field}: ${issue?.message ?? "is invalid"}`, field });
}

async function jsonBody(request: IncomingMessage, response: ServerResponse): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const body = await readJsonBody(request);
  if (body.kind === "empty") return { ok: true, value: {} };
  if (body.kind === "json") return { ok: true, value: body.value };
  sendJson(response, body.kind === "too_large" ? 413 : 400, { error: body.kind === "too_large" ? "Request body too large" : "Request body must be valid JSON" });
  return { ok: false };
}

/** Who may use the controls: the token, and the `host[:port]` values (lower case) that name this emulator. */
export interface ControlAccess {
  token: string;
  hosts: ReadonlySet<string>;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function isJsonContentType(value: string | undefined): boolean {
  return (value ?? "").split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** Why a control request is refused, or null when it may proceed. */
export function refuseControlRequest(request: IncomingMessage, access: ControlAccess): { status: number; error: string } | null {
  const host = (request.headers.host ?? "").toLowerCase();
  if (!access.hosts.has(host)) return { status: 403, error: "This Host does not name this emulator (set EMULATOR_CONTROL_HOSTS to add one)" };
  const origin = request.headers.origin;
  if (origin !== undefined && !(origin.startsWith("http://") && access.hosts.has(origin.slice("http://".length).toLowerCase()))) {
    return { status: 403, error: "Cross-origin requests to the controls are refused" };
  }
  const presented = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization?.trim() ?? "")?.[1];
  if (presented === undefined || !timingSafeEqual(digest(presented), digest(access.token))) {
    return { status: 401, error: "Send the control token as Authorization: Bearer <token> (EMULATOR_CONTROL_TOKEN; printed at start when generated)" };
  }
  if (request.method !== "GET" && request.method !== "HEAD" && !isJsonContentType(request.headers["content-type"])) {
    return { status: 415, error: "Control requests carry Content-Type: application/json" };
  }
  return null;
}

/** Answers one /_emulator request. */
export async function handleControlRequest(request: IncomingMessage, response: ServerResponse, url: URL, deps: ControlDeps, access: ControlAccess): Promise<void> {
  const refusal = refuseControlRequest(request, access);
  if (refusal) return sendJson(response, refusal.status, { error: refusal.error });
  const path = normalisePath(url.pathname).slice(CONTROL_BASE_PATH.length) || "/";
  const method = request.method ?? "GET";

  if (method === "GET" && (path === "/state" || path === "/")) return sendJson(response, 200, deps.state());
  if (method === "GET" && path === "/deliveries") {
    const query = deliveryQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) return zodError(response, query.error);
    return sendJson(response, 200, { deliveries: deps.deliveries({ status: query.data.status, eventType: query.data.event_type, limit: query.data.limit }) });
  }
  if (method === "GET" && path.startsWith("/deliveries/")) {
    const record = deps.findDelivery(decodeURIComponent(path.slice("/deliveries/".length)));
    return record ? sendJson(response, 200, record) : sendJson(response, 404, { error: "No such delivery (it may have left the log)" });
  }
  if (method !== "POST") return sendJson(response, 404, { error: "Not found" });

  const body = await jsonBody(request, response);
  if (!body.ok) return;
  switch (path) {
    case "/faults": {
      const parsed = faultsRequestSchema.safeParse(body.value);
      if (!parsed.success) return zodError(response, parsed.error);
      const { preset, ...rates } = parsed.data;
      return sendJson(response, 200, { faults: deps.setFaults(rates, preset) });
    }
    case "/drops": {
      const parsed = dropsRequestSchema.safeParse(body.value);
      if (!parsed.success) return zodError(response, parsed.error);
      const drops = deps.setDrops({ ...(parsed.data.rate === undefined ? {} : { rate: parsed.data.rate }), ...(parsed.data.event_type === undefined ? {} : { eventType: parsed.data.event_type }) });
      return sendJson(response, 200, { drops: { rate: drops.rate, event_type: drops.eventType } });
    }
    case "/burst": {
      const parsed = burstRequestSchema.safeParse(body.value);
      if (!parsed.success) return zodError(response, parsed.error);
      return sendJson(response, 200, { events: deps.burst(parsed.data.count) });
    }
    case "/pause":
      deps.pause();
      return sendJson(response, 200, { paused: deps.isPaused() });
    case "/resume":
      deps.resume();
      return sendJson(response, 200, { paused: deps.isPaused() });
    case "/hold":
      deps.hold();
      return sendJson(response, 200, { holding: true });
    case "/release":
      return sendJson(response, 200, { holding: false, released: deps.release() });
    case "/send": {
      if (!isPlainObject(body.value)) return sendJson(response, 400, { error: "(body): must be a JSON object", field: "(body)" });
      const parsed = sendRequestSchema.safeParse(body.value);
      if (!parsed.success) return zodError(response, parsed.error);
      const result = deps.send(parsed.data);
      if (!result.ok) return sendJson(response, result.status, { error: result.error });
      if (!parsed.data.wait) return sendJson(response, 202, { deliveries: result.deliveries });
      return sendJson(response, 200, { deliveries: await deps.waitFor(result.deliveries) });
    }
    default: {
      const rotate = /^\/subscriptions\/([^/]+)\/rotate-secret$/.exec(path);
      if (rotate?.[1]) {
        const parsed = rotateRequestSchema.safeParse(body.value ?? {});
        if (!parsed.success) return zodError(response, parsed.error);
        const uid = decodeURIComponent(rotate[1]);
        // The new secret is not echoed: whoever chose it knows it, and a random one is for "RxWatch does not know it" rehearsals.
        return deps.rotateSecret(uid, parsed.data.signing_secret) ? sendJson(response, 200, { uid, rotated: true }) : sendJson(response, 404, { error: "Subscription not found" });
      }
      const remove = /^\/subscriptions\/([^/]+)\/delete$/.exec(path);
      if (remove?.[1]) {
        const uid = decodeURIComponent(remove[1]);
        return deps.deleteSubscription(uid) ? sendJson(response, 200, { uid, deleted: true }) : sendJson(response, 404, { error: "Subscription not found" });
      }
      return sendJson(response, 404, { error: "Not found" });
    }
  }
}
