import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import type { BlockList } from "node:net";
import { isAddressAllowed } from "@/server/core/cidr";
import { clientAddress } from "@/server/core/client-address";

// GET /api/metrics: the bearer token or an allow-listed client address (server/core/client-address.ts),
// either suffices. See docs/operations.md#metrics

export type MetricsAccess = { kind: "allowed"; via: "token" | "network" } | { kind: "denied"; status: 401 | 403 };

export interface MetricsAccessPolicy {
  token: string | undefined;
  allow: BlockList;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function bearerToken(headers: Headers): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}

/**
 * Decides a scrape: the right token or an allowed network lets it in;
 * otherwise 401 when a token is configured and none was sent (so the
 * scraper knows to send one), 403 else.
 */
export function checkMetricsAccess(headers: Headers, policy: MetricsAccessPolicy): MetricsAccess {
  const presented = bearerToken(headers);
  // Compared as digests: equal length, constant time, and the token's length is not revealed.
  if (policy.token !== undefined && presented !== null && timingSafeEqual(digest(presented), digest(policy.token))) {
    return { kind: "allowed", via: "token" };
  }
  if (isAddressAllowed(policy.allow, clientAddress(headers))) return { kind: "allowed", via: "network" };
  if (policy.token !== undefined && presented === null) return { kind: "denied", status: 401 };
  return { kind: "denied", status: 403 };
}
