import { appendFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes, randomInt } from "node:crypto";
import { resolveEmulatorConfig, FAULT_KINDS, CHAOS_FAULTS, NO_FAULTS, type EmulatorConfig, type EmulatorOptions, type FaultRates, type PartialFaultRates, type Preset } from "./config";
import { CONTROL_BASE_PATH, forcedFaultsOf, handleControlRequest, sendRequestSchema, type ControlAccess, type SendRequest, type SendResult } from "./control-api";
import { Deliverer, type DeliveryRecord, type DeliveryStats, type DeliveryStatus } from "./delivery";
import { Dispatcher } from "./dispatch";
import { EVENT_KEYS } from "./event-names";
import { FakePeople, type Patient } from "./fake-data";
import { FaultInjector } from "./faults";
import { DropFaults, type DropSettings } from "./drop-faults";
import { OrderBook } from "./order-book";
import { handleOrdersApiRequest, isOrdersApiPath } from "./orders-api";
import { isPlainObject, sendJson } from "./http-io";
import { createLogger, describeTarget, type LogSink } from "./log";
import { handleManagementRequest, isManagementPath, MANAGEMENT_BASE_PATH } from "./management-api";
import { createRandom } from "./random";
import { RateLimiter } from "./rate-limiter";
import { newSigningSecret, SubscriptionStore, type Subscription } from "./subscriptions";
import { TrafficGenerator, type TrafficStats } from "./traffic";

/*
 * The RxScale emulator as one object: a plain Node HTTP server with the
 * Management API subset, the delivery engine, the traffic generator and the
 * controls. Importable (tests and RxWatch's demo mode start it in-process)
 * and runnable (`npm run emulator`, see main.ts).
 */

export interface StartEmulatorOptions extends EmulatorOptions {
  /** Where log lines go (console.log by default). */
  log?: LogSink;
}

export interface EmulatorState {
  emulator: "rxscale-emulator";
  url: string;
  management_url: string;
  started_at: string;
  seed: number;
  paused: boolean;
  /** Delivery attempts are being held (POST /_emulator/hold) until released. */
  holding: boolean;
  traffic: TrafficStats & { orders_per_minute: number; step_delay_ms: number };
  faults: FaultRates;
  /** Events lost entirely (never sent) and the settings that lose them. */
  drops: DropSettings & { dropped: number };
  /** Orders the orders API knows. */
  orders_known: number;
  deliveries: DeliveryStats;
  events_without_subscriber: number;
  held_out_of_order: number;
  event_names: EmulatorConfig["resolvedEventNames"];
  unknown_event_type: string;
  /** Without their signing secrets (the Management API's 201 hands each to its creator; `subscriptions()` in-process). */
  subscriptions: (Omit<Subscription, "signing_secret">)[];
  api_keys: { key_hint: string; permissions: string[] }[];
}

export interface StopReport {
  /** Deliveries not delivered because the emulator stopped (each also logged). */
  abandonedDeliveries: DeliveryRecord[];
  /** Out-of-order events still held back, never sent. */
  heldEvents: number;
  /** Orders whose lifecycle had not finished. */
  unfinishedOrders: number;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:4010 */
  url: string;
  /** `url` + /v1/management: the base a Management API client appends paths to is `url`. */
  managementUrl: string;
  port: number;
  config: EmulatorConfig;
  /** The bearer token the /_emulator controls require (EMULATOR_CONTROL_TOKEN, or random per start). */
  controlToken: string;
  state(): EmulatorState;
  subscriptions(): Subscription[];
  deliveries(filter?: { status?: DeliveryStatus; eventType?: string; limit?: number }): DeliveryRecord[];
  /** Resolves when the delivery is delivered, failed for good or abandoned. */
  waitForDelivery(id: string): Promise<DeliveryRecord | undefined>;
  /** POST /_emulator/send in-process. */
  send(request: SendRequest): SendResult;
  /** Creates a subscription directly (no API key, no rate limit, no test delivery). */
  subscribe(input: { notification_type: string; target: string; signing_secret?: string }): Subscription;
  burst(count: number): number;
  pause(): void;
  resume(): void;
  /** Holds every delivery attempt that comes due (new deliveries and retries) instead of sending it: an outage as RxScale sees it. */
  hold(): void;
  /** Ends a hold and sends every held attempt at once (the retry backlog draining); returns how many were released. */
  release(): number;
  setFaults(patch: PartialFaultRates, preset?: Preset): FaultRates;
  /** Sets the drop faults: a share of events, or every event of one type, never delivered. */
  setDrops(patch: Partial<DropSettings>): DropSettings;
  /** Deletes a subscription without telling its receiver (the deleted-subscription fault); false when it does not exist. */
  deleteSubscription(uid: string): boolean;
  /** What the orders API serves (read-only use, for tests). */
  orderBook: OrderBook;
  /** Stops traffic and the server; reports everything that was not delivered. Safe to call twice. */
  stop(): Promise<StopReport>;
}

/**
 * Starts an emulator and resolves once it listens. `options.port: 0` picks a
 * free port (see `url`).
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const { log: sink, ...rest } = options;
  const config = resolveEmulatorConfig(rest);
  const log = createLogger(config.logLevel, sink);
  const seed = config.seed ?? randomInt(0, 2 ** 31);
  const random = createRandom(seed);
  const now = Date.now;
  const startedAt = new Date(now()).toISOString();

  const subscriptions = new SubscriptionStore(now);
  const faults = new FaultInjector(config.resolvedFaults, random);
  const deliverer = new Deliverer(
    { timeoutMs: config.deliveryTimeoutMs, retryBaseMs: config.retryBaseMs, retryFactor: config.retryFactor, maxAttempts: config.retryMaxAttempts, retryMaxDelayMs: config.retryMaxDelayMs, insecureTls: config.insecureTls },
    log,
    config.deliveryLogSize,
    now,
  );
  const book = new OrderBook();
  const drops = new DropFaults({ rate: config.dropRate, eventType: config.dropEventType }, random);
  const dispatcher = new Dispatcher({ subscriptions, deliverer, faults, random, log, unknownEventType: config.unknownEventType, outOfOrderHoldMaxMs: config.outOfOrderHoldMaxMs });
  const traffic = new TrafficGenerator(
    { ordersPerMinute: config.ordersPerMinute, stepDelayMs: config.stepDelayMs, branchRates: config.branchRates, maxActiveOrders: config.maxActiveOrders, eventNames: config.resolvedEventNames },
    { random, people: new FakePeople(seed, random, config.patientsFile ? recordPatientTo(config.patientsFile) : undefined), log, now, emit: (event, hasSuccessor, origin) => {
        // RxScale's state moves on whether or not the delivery is lost.
        book.record(event);
        if (drops.shouldDrop(event)) log.debug(`dropped ${event.eventType} of ${event.orderUid} [drop]`);
        else dispatcher.dispatchGenerated(event, hasSuccessor, origin);
      } },
  );
  const rateLimiter = new RateLimiter({ perSecond: config.rateLimitPerSecond, perMinute: config.rateLimitPerMinute }, now);

  const initialSecret = config.signingSecret ?? newSigningSecret();
  const target = config.target;
  const initial: { notification_type: string; target: string; signing_secret?: string }[] = [
    ...config.subscriptions,
    ...(target ? EVENT_KEYS.map((key) => ({ notification_type: config.resolvedEventNames[key], target })) : []),
  ];
  for (const subscription of initial) subscriptions.create({ ...subscription, signing_secret: subscription.signing_secret ?? initialSecret });

  const setFaults = (patch: PartialFaultRates, preset?: Preset): FaultRates => {
    if (preset) faults.replace(preset === "chaos" ? CHAOS_FAULTS : NO_FAULTS);
    const rates = faults.update(patch);
    log.info(`faults: ${FAULT_KINDS.map((kind) => `${kind}=${rates[kind]}`).join(", ")}`);
    return rates;
  };

  const send = (request: SendRequest): SendResult => {
    const parsed = sendRequestSchema.safeParse(request);
    if (!parsed.success) return { ok: false, status: 400, error: parsed.error.issues[0]?.message ?? "invalid request" };
    const input = parsed.data;
    const event = { eventType: input.event_type, timestamp: input.timestamp ?? Math.floor(now() / 1000), data: input.data, payloadVersion: input.payload_version, rawBody: input.raw_body };
    const forced = forcedFaultsOf(input.faults);
    if (input.subscription_uid) {
      const subscription = subscriptions.find(input.subscription_uid);
      if (!subscription) return { ok: false, status: 404, error: "Subscription not found" };
      return { ok: true, deliveries: dispatcher.deliverTo([{ target: subscription.target, signingSecret: subscription.signing_secret, subscriptionUid: subscription.uid }], event, "send", { forced }) };
    }
    if (input.target) {
      const known = subscriptions.list().find((subscription) => subscription.target === input.target);
      const secret = input.signing_secret ?? known?.signing_secret;
      if (!secret) return { ok: false, status: 400, error: "signing_secret is required when no subscription has this target" };
      return { ok: true, deliveries: dispatcher.deliverTo([{ target: input.target, signingSecret: secret, subscriptionUid: known?.uid ?? null }], event, "send", { forced }) };
    }
    const deliveries = dispatcher.deliverToSubscribers(event, "send", { forced });
    if (deliveries.length === 0) return { ok: false, status: 404, error: "No subscription for this event_type (subscribe first, or give target and signing_secret)" };
    return { ok: true, deliveries };
  };

  const hold = (): void => {
    deliverer.hold();
    log.info("holding deliveries: attempts that come due are queued, not sent, until release");
  };
  const release = (): number => {
    const released = deliverer.release();
    log.info(`released ${released} held delivery attempts at once`);
    return released;
  };

  const setDrops = (patch: Partial<DropSettings>): DropSettings => {
    const settings = drops.update(patch);
    log.info(`drops: rate=${settings.rate}, event type=${settings.eventType ?? "none"}`);
    return settings;
  };
  // RxScale tells nobody when a subscription goes; the receiver only notices that events stop.
  const deleteSubscription = (uid: string): boolean => {
    const deleted = subscriptions.delete(uid);
    if (deleted) log.info(`subscription ${uid} (${deleted.notification_type}) deleted without notice [fault]`);
    return deleted !== undefined;
  };
  const deleteTimer = config.deleteSubscriptionType
    ? setTimeout(() => {
        for (const subscription of subscriptions.forType(config.deleteSubscriptionType ?? "")) deleteSubscription(subscription.uid);
      }, config.deleteSubscriptionAfterMs)
    : null;
  deleteTimer?.unref();

  const waitFor = async (records: DeliveryRecord[]): Promise<DeliveryRecord[]> => {
    const settled = await Promise.all(records.map((record) => deliverer.waitFor(record.id)));
    return settled.map((record, index) => record ?? records[index]).filter((record): record is DeliveryRecord => record !== undefined);
  };

  let url = "";
  const state = (): EmulatorState => ({
    emulator: "rxscale-emulator",
    url,
    management_url: `${url}${MANAGEMENT_BASE_PATH}`,
    started_at: startedAt,
    seed,
    paused: traffic.isPaused,
    holding: deliverer.isHeld,
    traffic: { ...traffic.stats, orders_per_minute: config.ordersPerMinute, step_delay_ms: config.stepDelayMs },
    faults: faults.rates,
    drops: drops.current,
    orders_known: book.size,
    deliveries: deliverer.stats,
    events_without_subscriber: dispatcher.eventsWithoutSubscriber,
    held_out_of_order: dispatcher.heldCount,
    event_names: config.resolvedEventNames,
    unknown_event_type: config.unknownEventType,
    subscriptions: subscriptions.list().map(({ signing_secret: _secret, ...subscription }) => subscription),
    api_keys: config.apiKeys.map((key) => ({ key_hint: `…${key.key.slice(-4)}`, permissions: key.permissions })),
  });

  const controlAccess: ControlAccess = { token: config.controlToken ?? randomBytes(24).toString("base64url"), hosts: new Set() };
  const server = http.createServer((request, response) => {
    const requestUrl = new URL(request.url ?? "/", "http://emulator.invalid");
    const handle = async () => {
      if (isOrdersApiPath(requestUrl.pathname)) {
        handleOrdersApiRequest(request, response, requestUrl, { apiKeys: config.apiKeys, rateLimiter, book });
      } else if (isManagementPath(requestUrl.pathname)) {
        await handleManagementRequest(request, response, requestUrl, {
          config,
          subscriptions,
          rateLimiter,
          dispatcher,
          random,
          log,
          now,
          isTypeStopped: (eventType) => drops.current.eventType === eventType,
        });
      } else if (requestUrl.pathname === CONTROL_BASE_PATH || requestUrl.pathname.startsWith(`${CONTROL_BASE_PATH}/`)) {
        await handleControlRequest(request, response, requestUrl, {
          state,
          deliveries: (filter) => deliverer.list(filter),
          findDelivery: (id) => deliverer.find(id),
          setFaults,
          burst: (count) => traffic.burst(count),
          pause: () => traffic.pause(),
          resume: () => traffic.resume(),
          isPaused: () => traffic.isPaused,
          hold: () => hold(),
          release: () => release(),
          send: (input) => send(input),
          waitFor,
          rotateSecret: (uid, secret) => {
            const rotated = subscriptions.rotateSecret(uid, secret);
            if (rotated) log.info(`signing secret of ${uid} rotated`);
            return rotated !== undefined;
          },
          deleteSubscription,
          setDrops,
        }, controlAccess);
      } else if (requestUrl.pathname === "/" && request.method === "GET") {
        sendJson(response, 200, { emulator: "rxscale-emulator", management_api: `${MANAGEMENT_BASE_PATH}/`, controls: `${CONTROL_BASE_PATH}/state`, docs: "docs/emulator.md" });
      } else {
        sendJson(response, 404, { error: "Not found" });
      }
    };
    handle().catch((error: unknown) => {
      log.warn(`internal error answering ${request.method ?? "?"} ${requestUrl.pathname}: ${error instanceof Error ? error.name : "error"}`);
      if (!response.headersSent) sendJson(response, 500, { error: "Internal error" });
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = isAddressInfo(address) ? address.port : config.port;
  url = `http://${urlHost(config.host)}:${port}`;
  controlAccess.hosts = controlHostsFor(config.host, port, config.controlHosts);
  traffic.start();

  log.info(`listening on ${url} — Management API at ${url}${MANAGEMENT_BASE_PATH}, controls at ${url}${CONTROL_BASE_PATH}/state`);
  if (initial.length > 0) log.info(`${initial.length} start-up subscriptions: ${[...new Set(initial.map((subscription) => describeTarget(subscription.target)))].join(", ")}`);
  if (faults.isAnyOn) log.info(`fault injection on: ${FAULT_KINDS.filter((kind) => faults.rates[kind] > 0).map((kind) => `${kind}=${faults.rates[kind]}`).join(", ")}`);

  let stopping: Promise<StopReport> | null = null;
  const stop = (): Promise<StopReport> => {
    stopping ??= (async () => {
      if (deleteTimer) clearTimeout(deleteTimer);
      const unfinishedOrders = traffic.stop();
      const held = dispatcher.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      const abandonedDeliveries = await deliverer.stop(config.shutdownGraceMs);
      await closed;
      log.info(`stopped (${deliverer.stats.delivered} delivered, ${deliverer.stats.failed} failed, ${abandonedDeliveries.length} abandoned, ${held.length} held events dropped, ${unfinishedOrders} orders unfinished)`);
      return { abandonedDeliveries, heldEvents: held.length, unfinishedOrders };
    })();
    return stopping;
  };

  return {
    url,
    managementUrl: `${url}${MANAGEMENT_BASE_PATH}`,
    port,
    config,
    controlToken: controlAccess.token,
    state,
    subscriptions: () => subscriptions.list(),
    deliveries: (filter) => deliverer.list(filter),
    waitForDelivery: (id) => deliverer.waitFor(id),
    send,
    subscribe: (input) => {
      const result = subscriptions.create(input);
      return result.kind === "created" ? result.subscription : result.existing;
    },
    burst: (count) => traffic.burst(count),
    pause: () => traffic.pause(),
    resume: () => traffic.resume(),
    hold,
    release,
    setFaults,
    setDrops,
    deleteSubscription,
    orderBook: book,
    stop,
  };
}

function isAddressInfo(address: string | AddressInfo | null): address is AddressInfo {
  return isPlainObject(address) && typeof address.port === "number";
}

/** The Host header values that name this emulator: loopback, the interface it listens on and the configured extra names, each with the port. */
function controlHostsFor(host: string, port: number, extra: readonly string[]): Set<string> {
  const names = ["127.0.0.1", "localhost", "[::1]", urlHost(host), ...(host === "0.0.0.0" || host === "::" ? [] : [host.includes(":") ? `[${host}]` : host])];
  const hosts = new Set(names.map((name) => `${name.toLowerCase()}:${port}`));
  for (const name of extra) hosts.add(/:\d+$/.test(name) && !name.endsWith("]") ? name.toLowerCase() : `${name.toLowerCase()}:${port}`);
  return hosts;
}

/** A host usable in a URL: wildcard addresses become loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/** Appends the fields a log scan looks for, one JSON line per patient. */
function recordPatientTo(file: string): (patient: Patient) => void {
  return (patient) => appendFileSync(file, `${JSON.stringify({ name: patient.display_name, email: patient.email, dateOfBirth: patient.date_of_birth })}\n`);
}
