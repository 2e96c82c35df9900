import { describe, expect, it } from "vitest";
import { allowList } from "@/server/core/cidr";
import { clientAddress, clientHost, clientProtocol } from "@/server/core/client-address";

const NONE = allowList([]);
const PROXIES = allowList(["10.0.0.0/8"]);

function headers(values: Record<string, string>): Headers {
  return new Headers(values);
}

describe("clientAddress", () => {
  it("is the socket peer when no proxy is trusted, whatever X-Forwarded-For claims", () => {
    expect(clientAddress(headers({ "x-rxwatch-peer-address": "203.0.113.9", "x-forwarded-for": "127.0.0.1" }), NONE)).toBe("203.0.113.9");
    expect(clientAddress(headers({ "x-rxwatch-peer-address": "::ffff:203.0.113.9", "x-forwarded-for": "198.51.100.1, 127.0.0.1" }), NONE)).toBe("203.0.113.9");
  });

  it("is the peer when the peer is not a trusted proxy, even with trusted proxies configured", () => {
    expect(clientAddress(headers({ "x-rxwatch-peer-address": "203.0.113.9", "x-forwarded-for": "198.51.100.1" }), PROXIES)).toBe("203.0.113.9");
  });

  it("behind a trusted proxy, is the right-most X-Forwarded-For entry that is not a trusted proxy", () => {
    const through = (xff: string) => clientAddress(headers({ "x-rxwatch-peer-address": "10.0.0.2", "x-forwarded-for": xff }), PROXIES);
    expect(through("198.51.100.1")).toBe("198.51.100.1");
    expect(through("127.0.0.1, 198.51.100.1")).toBe("198.51.100.1");
    expect(through("127.0.0.1, 198.51.100.1, 10.0.0.7")).toBe("198.51.100.1");
    expect(through("10.0.0.9")).toBe("10.0.0.9");
    expect(clientAddress(headers({ "x-rxwatch-peer-address": "10.0.0.2" }), PROXIES)).toBe("10.0.0.2");
  });

  it("is unknown when no server stamped the peer, so a forwarded header alone is never believed", () => {
    expect(clientAddress(headers({ "x-forwarded-for": "127.0.0.1" }), PROXIES)).toBeNull();
  });
});

describe("clientHost and clientProtocol", () => {
  it("ignore X-Forwarded-Host and -Proto from a client that is not a trusted proxy", () => {
    const direct = headers({ "x-rxwatch-peer-address": "203.0.113.9", host: "rxwatch.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" });
    expect(clientHost(direct, PROXIES)).toBe("rxwatch.example");
    expect(clientProtocol(direct, "http", PROXIES)).toBe("http");
  });

  it("take the trusted proxy's last X-Forwarded-Host and -Proto entries", () => {
    const proxied = headers({ "x-rxwatch-peer-address": "10.0.0.2", host: "internal:3000", "x-forwarded-host": "evil.example, rxwatch.example", "x-forwarded-proto": "https" });
    expect(clientHost(proxied, PROXIES)).toBe("rxwatch.example");
    expect(clientProtocol(proxied, "http", PROXIES)).toBe("https");
  });
});
