import "server-only";
import type { FirstRunProgress } from "@/lib/first-run";
import { countUsers } from "@/server/repositories/users";
import { hasAcceptedDelivery } from "@/server/repositories/delivery-queries";
import { listSigningSecrets } from "@/server/signing-secrets/signing-secrets";
import { apiKeyStatus } from "@/server/subscriptions/api-key";
import { isDemoActive } from "@/server/subscriptions/demo-state";

/**
 * How far this instance is set up, read from real state so the checklist
 * ticks itself off: a real (not demo) API key, a subscription whose signing
 * secret RxWatch captured, an accepted signed delivery, a second user.
 */
export async function firstRunProgress(): Promise<FirstRunProgress> {
  const [key, isDemo, secrets, hasDelivery, users] = await Promise.all([apiKeyStatus(), isDemoActive(), listSigningSecrets(), hasAcceptedDelivery(), countUsers()]);
  return {
    connect: key.isSet && !isDemo,
    subscribe: !isDemo && secrets.some((secret) => secret.isActive && secret.subscriptionUid !== null),
    test: !isDemo && hasDelivery,
    invite: users > 1,
  };
}
