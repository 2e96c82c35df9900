import { describe, expect, it } from "vitest";
import { allowList, isAddressAllowed, parseCidr } from "@/server/core/cidr";
import { checkMetricsAccess } from "@/server/metrics/access";

const LOOPBACK = allowList(["127.0.0.1/32", "::1/128"]);
const TOKEN = "metrics-token-0123456789abcdef";

function headers(values: Record<string, string>): Headers {
  return new Headers(values);
}

describe("parseCidr", () => {
  it("reads IPv4 and IPv6 networks and bare addresses as single hosts", () => {
    expect(parseCidr("10.0.0.0/8")).toEqual({ address: "10.0.0.0", prefix: 8, family: "ipv4" });
    expect(parseCidr("fd00::/8")).toEqual({ address: "fd00::", prefix: 8, family: "ipv6" });
    expect(parseCidr("192.168.1.7")).toEqual({ address: "192.168.1.7", prefix: 32, family: "ipv4" });
    expect(parseCidr("::1")).toEqual({ address: "::1", prefix: 128, family: "ipv6" });
  });

  it("refuses what is not a network", () => {
    for (const text of ["", "localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/8/8", "10.0.0.0/-1", "10.0.0.0/ 8", "300.1.1.1/32"]) {
      expect(parseCidr(text), text).toBeNull();
    }
  });
});

describe("isAddressAllowed", () => {
  const list = allowList(["10.0.0.0/8", "192.168.1.0/24", "fd00::/8"]);

  it("matches addresses inside the networks and nothing outside them", () => {
    expect(isAddressAllowed(list, "10.255.3.4")).toBe(true);
    expect(isAddressAllowed(list, "192.168.1.200")).toBe(true);
    expect(isAddressAllowed(list, "fd12:3456::1")).toBe(true);
    expect(isAddressAllowed(list, "11.0.0.1")).toBe(false);
    expect(isAddressAllowed(list, "192.168.2.1")).toBe(false);
    expect(isAddressAllowed(list, "fe80::1")).toBe(false);
  });

  it("treats an IPv4 address seen through an IPv6 socket as IPv4", () => {
    expect(isAddressAllowed(LOOPBACK, "::ffff:127.0.0.1")).toBe(true);
    expect(isAddressAllowed(LOOPBACK, "::ffff:10.0.0.1")).toBe(false);
  });

  it("refuses a missing or malformed address", () => {
    expect(isAddressAllowed(LOOPBACK, null)).toBe(false);
    expect(isAddressAllowed(LOOPBACK, "unknown")).toBe(false);
    expect(isAddressAllowed(allowList([]), "127.0.0.1")).toBe(false);
  });
});

describe("checkMetricsAccess", () => {
  const withToken = { token: TOKEN, allow: LOOPBACK };
  const tokenOnly = { token: TOKEN, allow: allowList([]) };
  const networkOnly = { token: undefined, allow: LOOPBACK };

  it("lets in the right bearer token from anywhere", () => {
    expect(checkMetricsAccess(headers({ authorization: `Bearer ${TOKEN}`, "x-rxwatch-peer-address": "203.0.113.9" }), withToken)).toEqual({ kind: "allowed", via: "token" });
  });

  it("lets in an allow-listed network without a token", () => {
    expect(checkMetricsAccess(headers({ "x-rxwatch-peer-address": "127.0.0.1" }), withToken)).toEqual({ kind: "allowed", via: "network" });
    expect(checkMetricsAccess(headers({ "x-rxwatch-peer-address": "::1" }), networkOnly)).toEqual({ kind: "allowed", via: "network" });
  });

  it("answers 401 when a token is configured and none was sent, 403 for a wrong one or a foreign network", () => {
    expect(checkMetricsAccess(headers({ "x-rxwatch-peer-address": "203.0.113.9" }), withToken)).toEqual({ kind: "denied", status: 401 });
    expect(checkMetricsAccess(headers({ authorization: `Bearer ${TOKEN}x`, "x-rxwatch-peer-address": "203.0.113.9" }), withToken)).toEqual({ kind: "denied", status: 403 });
    expect(checkMetricsAccess(headers({ authorization: "Basic abc", "x-rxwatch-peer-address": "203.0.113.9" }), tokenOnly)).toEqual({ kind: "denied", status: 401 });
    expect(checkMetricsAccess(headers({ "x-rxwatch-peer-address": "203.0.113.9" }), networkOnly)).toEqual({ kind: "denied", status: 403 });
  });

  it("does not accept a forged loopback hop in front of a proxy's entry", () => {
    expect(checkMetricsAccess(headers({ "x-forwarded-for": "127.0.0.1, 203.0.113.9" }), networkOnly)).toEqual({ kind: "denied", status: 403 });
  });

  it("does not let a client on another host in by claiming loopback in X-Forwarded-For", () => {
    expect(checkMetricsAccess(headers({ "x-rxwatch-peer-address": "203.0.113.9", "x-forwarded-for": "127.0.0.1" }), networkOnly)).toEqual({ kind: "denied", status: 403 });
  });

  it("never lets a token in when none is configured", () => {
    expect(checkMetricsAccess(headers({ authorization: "Bearer anything", "x-rxwatch-peer-address": "203.0.113.9" }), networkOnly)).toEqual({ kind: "denied", status: 403 });
  });
});
