import type { BranchRates } from "./config";
import type { EventNames } from "./event-names";
import type { FakePeople } from "./fake-data";
import type { EmulatorLogger } from "./log";
import { createOrderNames, OrderWalk, type GeneratedEvent } from "./orders";
import { jittered, type Random } from "./random";

/*
 * The traffic generator: new orders arrive at `ordersPerMinute` (each gap
 * drawn between 0.5× and 1.5× the mean) and every order walks its planned
 * lifecycle one step per `stepDelayMs` (same spread). Pausing stops both
 * clocks; deliveries already queued carry on.
 */

export interface TrafficSettings {
  ordersPerMinute: number;
  stepDelayMs: number;
  branchRates: BranchRates;
  maxActiveOrders: number;
  eventNames: EventNames;
}

export interface TrafficDeps {
  random: Random;
  people: FakePeople;
  log: EmulatorLogger;
  now: () => number;
  /** Receives each event; `hasSuccessor` says whether the same order has more events to come. */
  emit: (event: GeneratedEvent, hasSuccessor: boolean, origin: "traffic" | "burst") => void;
}

interface ActiveOrder {
  walk: OrderWalk;
  timer: NodeJS.Timeout | null;
}

export interface TrafficStats {
  ordersStarted: number;
  ordersFinished: number;
  eventsGenerated: number;
  activeOrders: number;
  outcomes: Record<"completed" | "cancelled" | "declined", number>;
}

export class TrafficGenerator {
  private readonly active = new Map<string, ActiveOrder>();
  private readonly nextOrderName: () => string;
  private arrivalTimer: NodeJS.Timeout | null = null;
  private isRunning = false;
  private paused = false;
  private readonly counts: Omit<TrafficStats, "activeOrders"> = { ordersStarted: 0, ordersFinished: 0, eventsGenerated: 0, outcomes: { completed: 0, cancelled: 0, declined: 0 } };

  constructor(
    private readonly settings: TrafficSettings,
    private readonly deps: TrafficDeps,
  ) {
    this.nextOrderName = createOrderNames(deps.random);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get stats(): TrafficStats {
    return { ...this.counts, outcomes: { ...this.counts.outcomes }, activeOrders: this.active.size };
  }

  start(): void {
    this.isRunning = true;
    if (!this.paused) this.scheduleArrival();
  }

  pause(): void {
    this.paused = true;
    if (this.arrivalTimer) clearTimeout(this.arrivalTimer);
    this.arrivalTimer = null;
    for (const order of this.active.values()) {
      if (order.timer) clearTimeout(order.timer);
      order.timer = null;
    }
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.isRunning) return;
    this.scheduleArrival();
    for (const order of this.active.values()) this.scheduleStep(order);
  }

  /**
   * Sends at least `count` events now: the next step of a random order in
   * flight, or of a new order when none is in flight or by chance. Steps are
   * whole (an order moving to "waiting for pharmacy" also creates its pharmacy
   * order), so a burst may send one or two events more than asked.
   */
  burst(count: number): number {
    let sent = 0;
    while (sent < count) {
      const orders = [...this.active.values()];
      const startNew = orders.length === 0 || (orders.length < this.settings.maxActiveOrders && this.deps.random() < 0.3);
      const order = startNew ? this.startOrder() : orders[Math.floor(this.deps.random() * orders.length)];
      if (!order) break;
      sent += this.advance(order, "burst");
    }
    return sent;
  }

  /** Stops both clocks and forgets the orders in flight; returns how many were unfinished. */
  stop(): number {
    this.isRunning = false;
    this.pause();
    const unfinished = this.active.size;
    this.active.clear();
    return unfinished;
  }

  private scheduleArrival(): void {
    if (this.settings.ordersPerMinute <= 0 || this.arrivalTimer) return;
    const meanGapMs = 60_000 / this.settings.ordersPerMinute;
    this.arrivalTimer = setTimeout(() => {
      this.arrivalTimer = null;
      if (this.paused) return;
      if (this.active.size < this.settings.maxActiveOrders) {
        const order = this.startOrder();
        this.advance(order, "traffic");
      } else {
        this.deps.log.debug(`${this.active.size} orders in flight (the maximum): no new order this time`);
      }
      this.scheduleArrival();
    }, jittered(this.deps.random, meanGapMs));
    this.arrivalTimer.unref();
  }

  private startOrder(): ActiveOrder {
    const walk = new OrderWalk(this.deps.random, this.deps.people, this.settings.eventNames, this.settings.branchRates, this.nextOrderName(), this.deps.now());
    const order: ActiveOrder = { walk, timer: null };
    this.active.set(walk.orderUid, order);
    this.counts.ordersStarted += 1;
    this.deps.log.debug(`order ${walk.orderUid} started (${walk.plan.steps.length} steps, ends ${walk.plan.outcome})`);
    return order;
  }

  /** Emits the order's next step now and schedules the one after. Returns the number of events emitted. */
  private advance(order: ActiveOrder, origin: "traffic" | "burst"): number {
    if (order.timer) clearTimeout(order.timer);
    order.timer = null;
    const events = order.walk.nextStep(this.deps.now());
    events.forEach((event, index) => {
      this.counts.eventsGenerated += 1;
      this.deps.emit(event, index < events.length - 1 || !order.walk.isDone, origin);
    });
    if (order.walk.isDone) {
      this.active.delete(order.walk.orderUid);
      this.counts.ordersFinished += 1;
      this.counts.outcomes[order.walk.plan.outcome] += 1;
      this.deps.log.debug(`order ${order.walk.orderUid} ${order.walk.plan.outcome}`);
    } else if (!this.paused && this.isRunning) {
      this.scheduleStep(order);
    }
    return events.length;
  }

  private scheduleStep(order: ActiveOrder): void {
    if (order.timer) return;
    order.timer = setTimeout(() => {
      order.timer = null;
      if (!this.paused) this.advance(order, "traffic");
    }, jittered(this.deps.random, this.settings.stepDelayMs));
    order.timer.unref();
  }
}
