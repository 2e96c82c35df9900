import { describe, expect, it } from "vitest";
import { currentRequestId, REQUEST_ID_HEADER, requestIdFrom, withRequestContext } from "./request-context";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("requestIdFrom", () => {
  it("keeps a plausible incoming X-Request-Id", () => {
    expect(requestIdFrom(new Headers({ "x-request-id": "lb-4f2a_91c0-77" }))).toBe("lb-4f2a_91c0-77");
  });

  it("replaces a missing, short, long or unsafe one with a fresh UUID", () => {
    for (const value of [undefined, "abc", "x".repeat(65), "id with spaces", 'id"},{"level":"error', "ümlaut-id-1234"]) {
      const id = requestIdFrom(new Headers(value === undefined ? {} : { "x-request-id": value }));
      expect(id, String(value)).toMatch(UUID);
    }
  });
});

describe("withRequestContext", () => {
  it("exposes the id to code running for the request and echoes it in the response", async () => {
    let seen: string | undefined;
    const response = await withRequestContext(new Request("http://x/", { headers: { "x-request-id": "req-12345678" } }), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen = currentRequestId();
      return Response.json({ ok: true });
    });
    expect(seen).toBe("req-12345678");
    expect(response.headers.get(REQUEST_ID_HEADER)).toBe("req-12345678");
    expect(currentRequestId()).toBeUndefined();
  });

  it("stamps responses whose headers are immutable", async () => {
    const response = await withRequestContext(new Request("http://x/"), async () => Response.redirect("http://x/elsewhere", 302));
    expect(response.status).toBe(302);
    expect(response.headers.get(REQUEST_ID_HEADER)).toMatch(UUID);
  });
});
