import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import type { BlockList } from "node:net";
import { isAddressAllowed, sourceAddress } from "@/server/core/client-address";

/*
 * Who may scrape GET /api/metrics: a request with the configured bearer
 * token (RXWATCH_METRICS_TOKEN), or one from an allow-listed network
 * (RXWATCH_METRICS_ALLOW, CIDRs). Either suffices.
 *
 * The source address is the last X-Forwarded-For entry: Next.js sets the
 * header from the socket when a request arrives without one, and a reverse
 * proxy that appends its peer (nginx's $proxy_add_x_forwarded_for, Caddy,
 * Traefik) puts the address it saw last. A client can forge the header when
 * it reaches the Node port directly, so the allow-list only means something
 * when that port is reachable from the proxy or a private network alone —
 * otherwise configure the token and an empty allow-list (docs/operations.md).
 */

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
  if (isAddressAllowed(policy.allow, sourceAddress(headers))) return { kind: "allowed", via: "network" };
  if (policy.token !== undefined && presented === null) return { kind: "denied", status: 401 };
  return { kind: "denied", status: 403 };
}
