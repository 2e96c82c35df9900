import { afterAll, describe, expect, it, vi } from "vitest";
import { GET as me } from "@/app/api/me/route";
import { POST } from "@/app/api/webhooks/rxscale/route";
import { envelopeBody, webhookRequest } from "../fixtures/rxscale-webhooks";

/*
 * Request ids through real route handlers: the webhook receiver and a
 * withViewer-wrapped JSON route echo a valid incoming X-Request-Id (or make
 * one up), and log lines written while serving the request carry it.
 */

vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_request_id_secret_0001";
  // The rejection is logged at info.
  process.env.LOG_LEVEL = "info";
});

const written: string[] = [];
vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
  written.push(String(chunk));
  return true;
});

afterAll(() => {
  vi.restoreAllMocks();
});

function logLines(): Record<string, unknown>[] {
  return written
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("request ids", () => {
  it("the webhook receiver echoes the incoming id and stamps its log lines with it", async () => {
    const response = await POST(webhookRequest(envelopeBody(), { secret: "whsec_not_the_configured_one", headers: { "x-request-id": "trace-abcdef12" } }));
    expect(response.status).toBe(401);
    expect(response.headers.get("x-request-id")).toBe("trace-abcdef12");
    const rejected = logLines().find((line) => line.msg === "webhook delivery rejected");
    expect(rejected).toMatchObject({ requestId: "trace-abcdef12", reasonCode: "bad_signature" });
  });

  it("a JSON route replaces an unusable incoming id with a fresh one, also on errors", async () => {
    const response = await me(new Request("http://rxwatch.test/api/me", { headers: { "x-request-id": "bad id; drop" } }), { params: Promise.resolve({}) });
    expect(response.status).toBe(401);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
