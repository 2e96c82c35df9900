import type { DeliveryFaults } from "./faults";
import { NO_DELIVERY_FAULTS, type FaultInjector } from "./faults";
import type { Deliverer, DeliveryOrigin, DeliveryRecord } from "./delivery";
import type { EmulatorLogger } from "./log";
import type { GeneratedEvent } from "./orders";
import { randomHex } from "./orders";
import { integerBetween, type Random } from "./random";
import type { Subscription, SubscriptionStore } from "./subscriptions";

/*
 * Turns events into deliveries: one per subscription of the event's type
 * (only subscribed types are delivered), each signed with its subscription's
 * secret. Fault injection happens here — out-of-order holds and unknown event
 * types per event, the rest per delivery.
 */

/** An event to send: a generated one, or one given to POST /_emulator/send. */
export interface OutgoingEvent {
  eventType: string;
  timestamp: number;
  data: Record<string, unknown>;
  payloadVersion?: string;
  /** Sent instead of the serialised envelope (still signed). For tests of exact bytes. */
  rawBody?: string;
}

/** Per-delivery faults forced by the caller instead of drawn; `duplicate` sends the same bytes twice. */
export interface ForcedFaults extends Partial<DeliveryFaults> {
  duplicate?: boolean;
}

export interface DispatchTarget {
  target: string;
  signingSecret: string;
  subscriptionUid: string | null;
}

/** `{event_type, timestamp, payload_version, data}` in this key order (docs/rxscale.md#envelope). */
export function envelopeBody(event: OutgoingEvent): string {
  if (event.rawBody !== undefined) return event.rawBody;
  return JSON.stringify({ event_type: event.eventType, timestamp: event.timestamp, payload_version: event.payloadVersion ?? "1", data: event.data });
}

function dataUidOf(data: Record<string, unknown>): string | null {
  return typeof data.uid === "string" ? data.uid : null;
}

interface Held {
  event: GeneratedEvent;
  origin: DeliveryOrigin;
  timer: NodeJS.Timeout;
}

export interface DispatcherDeps {
  subscriptions: SubscriptionStore;
  deliverer: Deliverer;
  faults: FaultInjector;
  random: Random;
  log: EmulatorLogger;
  unknownEventType: string;
  outOfOrderHoldMaxMs: number;
}

export class Dispatcher {
  private readonly held = new Map<string, Held>();
  private withoutSubscriber = 0;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Events generated with no subscription for their type (dropped, as RxScale would). */
  get eventsWithoutSubscriber(): number {
    return this.withoutSubscriber;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /**
   * Sends a generated event, applying the event-level faults. An event is only
   * held back for out-of-order delivery when its order has a successor event
   * coming (`hasSuccessor`); it is then sent right after that successor, or
   * after outOfOrderHoldMaxMs at the latest.
   */
  dispatchGenerated(generated: GeneratedEvent, hasSuccessor: boolean, origin: DeliveryOrigin): void {
    if (this.deps.faults.roll("unknown_event_type")) this.sendUnknownEvent(generated);
    const { event, labels } = this.deps.faults.reshape(generated);
    const held = this.held.get(event.orderUid);
    if (!held && hasSuccessor && this.deps.faults.roll("out_of_order")) {
      const timer = setTimeout(() => this.release(event.orderUid), this.deps.outOfOrderHoldMaxMs);
      timer.unref();
      this.held.set(event.orderUid, { event, origin, timer });
      this.deps.log.debug(`holding ${event.eventType} of ${event.orderUid} to send it after its successor [out_of_order]`);
      return;
    }
    this.deliverToSubscribers(event, origin, labels.length > 0 ? { labels } : {});
    if (held) this.release(event.orderUid);
  }

  /** Delivers to every subscription of the event's type, with faults drawn per delivery unless `forced`. */
  deliverToSubscribers(event: OutgoingEvent, origin: DeliveryOrigin, options: { forced?: ForcedFaults; labels?: string[] } = {}): DeliveryRecord[] {
    const subscriptions = this.deps.subscriptions.forType(event.eventType);
    if (subscriptions.length === 0) {
      this.withoutSubscriber += 1;
      return [];
    }
    return this.deliverTo(subscriptions.map(targetOf), event, origin, options);
  }

  /** Delivers to the given targets; faults are drawn per delivery unless `forced` is given. */
  deliverTo(targets: readonly DispatchTarget[], event: OutgoingEvent, origin: DeliveryOrigin, options: { forced?: ForcedFaults; labels?: string[] } = {}): DeliveryRecord[] {
    const body = envelopeBody(event);
    const dataUid = dataUidOf(event.data);
    const records: DeliveryRecord[] = [];
    for (const target of targets) {
      const faults: DeliveryFaults = options.forced ? { ...NO_DELIVERY_FAULTS, ...withoutDuplicate(options.forced) } : this.deps.faults.rollDelivery();
      const isDuplicated = options.forced ? options.forced.duplicate === true : this.deps.faults.roll("duplicate");
      const job = { eventType: event.eventType, body, target: target.target, signingSecret: target.signingSecret, subscriptionUid: target.subscriptionUid, dataUid, origin, faults, labels: options.labels };
      const original = this.deps.deliverer.enqueue(job);
      records.push(original);
      // A duplicate is the very same request again a little later, as after a retry whose first attempt did arrive.
      if (isDuplicated) records.push(this.deps.deliverer.enqueue({ ...job, duplicateOf: original.id, startDelayMs: integerBetween(this.deps.random, 100, 1_500) }));
    }
    return records;
  }

  /** Events still held back; they are returned so a stop can report them. */
  stop(): GeneratedEvent[] {
    const events = [...this.held.values()].map((held) => {
      clearTimeout(held.timer);
      return held.event;
    });
    this.held.clear();
    if (events.length > 0) this.deps.log.warn(`stopped with ${events.length} out-of-order events still held back (not sent): ${events.map((event) => `${event.eventType} of ${event.orderUid}`).join("; ")}`);
    return events;
  }

  private release(orderUid: string): void {
    const held = this.held.get(orderUid);
    if (!held) return;
    clearTimeout(held.timer);
    this.held.delete(orderUid);
    this.deliverToSubscribers(held.event, held.origin, { labels: ["out_of_order"] });
  }

  /**
   * The unknown_event_type fault: an event of a type RxScale never documented,
   * sent once to every subscribed target (signed with the secret of that
   * target's first subscription) — RxScale would only send subscribed types,
   * so this stands for a type added to RxScale after the receiver was written.
   */
  private sendUnknownEvent(cause: GeneratedEvent): void {
    const targets = new Map<string, Subscription>();
    for (const subscription of this.deps.subscriptions.list()) if (!targets.has(subscription.target)) targets.set(subscription.target, subscription);
    if (targets.size === 0) return;
    const event: OutgoingEvent = {
      eventType: this.deps.unknownEventType,
      timestamp: cause.timestamp,
      data: { uid: `unk-${randomHex(this.deps.random, 12)}`, order: { uid: cause.orderUid }, note: "emulator fault injection: an event type no receiver should know" },
    };
    this.deliverTo([...targets.values()].map(targetOf), event, "fault", { forced: {}, labels: ["unknown_event_type"] });
  }
}

function targetOf(subscription: Subscription): DispatchTarget {
  return { target: subscription.target, signingSecret: subscription.signing_secret, subscriptionUid: subscription.uid };
}

function withoutDuplicate(forced: ForcedFaults): Partial<DeliveryFaults> {
  const { duplicate: _duplicate, ...rest } = forced;
  return rest;
}
