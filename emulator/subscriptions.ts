import { randomBytes } from "node:crypto";

/*
 * The emulator's notification subscriptions (docs/rxscale.md#notification-subscriptions): one event type
 * and one target each. [GAP] The docs do not say whether the same type and
 * target can be registered twice; the emulator refuses the second (409) so a
 * receiver never gets each event twice by accident.
 */

export interface Subscription {
  uid: string;
  notification_type: string;
  target: string;
  options: "WEBHOOK";
  payload_version: string;
  meta_data: Record<string, unknown> | null;
  signing_secret: string;
  /** Unix seconds; not part of RxScale's documented response, kept for the emulator's state page. */
  created_at: number;
}

/** The subscription as the Management API lists it (docs/rxscale.md#notification-subscriptions): no secret, no metadata. */
export interface SubscriptionView {
  uid: string;
  notification_type: string;
  target: string;
  options: "WEBHOOK";
  payload_version: string;
}

export interface NewSubscription {
  notification_type: string;
  target: string;
  payload_version?: string;
  meta_data?: Record<string, unknown> | null;
  signing_secret?: string;
}

export type CreateResult = { kind: "created"; subscription: Subscription } | { kind: "duplicate"; existing: Subscription };

/** `whsec_` and 48 hex characters, in the docs' `whsec_…` form (docs/rxscale.md#signing-secrets). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString("hex")}`;
}

function newSubscriptionUid(): string {
  return `ns-${randomBytes(8).toString("hex")}`;
}

/** Compares targets as URLs, so `HTTPS://Host/path` and `https://host/path` are the same target. */
function sameTarget(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

export function viewOf(subscription: Subscription): SubscriptionView {
  const { uid, notification_type, target, options, payload_version } = subscription;
  return { uid, notification_type, target, options, payload_version };
}

export class SubscriptionStore {
  private readonly byUid = new Map<string, Subscription>();

  constructor(private readonly now: () => number = Date.now) {}

  list(): Subscription[] {
    return [...this.byUid.values()];
  }

  find(uid: string): Subscription | undefined {
    return this.byUid.get(uid);
  }

  forType(notificationType: string): Subscription[] {
    return this.list().filter((subscription) => subscription.notification_type === notificationType);
  }

  /** Refuses a second subscription for the same event type and target, returning the existing one. */
  create(input: NewSubscription): CreateResult {
    const existing = this.list().find((subscription) => subscription.notification_type === input.notification_type && sameTarget(subscription.target, input.target));
    if (existing) return { kind: "duplicate", existing };
    const subscription: Subscription = {
      uid: newSubscriptionUid(),
      notification_type: input.notification_type,
      target: input.target,
      options: "WEBHOOK",
      payload_version: input.payload_version ?? "1",
      meta_data: input.meta_data ?? null,
      signing_secret: input.signing_secret ?? newSigningSecret(),
      created_at: Math.floor(this.now() / 1000),
    };
    this.byUid.set(subscription.uid, subscription);
    return { kind: "created", subscription };
  }

  /**
   * Switches a subscription to another signing secret, as RxScale's staff or
   * portal would for a rotation (its API has no rotation endpoint). Later
   * deliveries, retries included, are signed with the new secret.
   */
  rotateSecret(uid: string, signingSecret: string = newSigningSecret()): Subscription | undefined {
    const subscription = this.byUid.get(uid);
    if (!subscription) return undefined;
    subscription.signing_secret = signingSecret;
    return subscription;
  }

  delete(uid: string): Subscription | undefined {
    const subscription = this.byUid.get(uid);
    this.byUid.delete(uid);
    return subscription;
  }
}
