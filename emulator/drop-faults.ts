import type { GeneratedEvent } from "./orders";
import { chance, type Random } from "./random";

/*
 * Faults that lose events entirely, kept apart from the delivery faults in
 * faults.ts: a dropped event is never sent and never retried, as when RxScale
 * loses it or the subscription for its type is gone. RxScale's own state (the
 * order book) still moves on, which is what reconciliation must notice.
 */

export interface DropSettings {
  /** Share of generated events dropped, 0..1. */
  rate: number;
  /** Every generated event of this wire type is dropped; null for none. */
  eventType: string | null;
}

export class DropFaults {
  private settings: DropSettings;
  private dropped = 0;

  constructor(
    initial: DropSettings,
    private readonly random: Random,
  ) {
    this.settings = { ...initial };
  }

  get current(): DropSettings & { dropped: number } {
    return { ...this.settings, dropped: this.dropped };
  }

  update(patch: Partial<DropSettings>): DropSettings {
    this.settings = { ...this.settings, ...patch };
    return { ...this.settings };
  }

  /** Whether this event is lost; counts it when it is. */
  shouldDrop(event: GeneratedEvent): boolean {
    const isDropped = event.eventType === this.settings.eventType || chance(this.random, this.settings.rate);
    if (isDropped) this.dropped += 1;
    return isDropped;
  }
}
