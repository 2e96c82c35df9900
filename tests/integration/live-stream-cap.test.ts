import { describe, expect, it } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { GET as getStream } from "@/app/api/stream/route";
import { createApiToken } from "@/server/auth/tokens";
import { createUser } from "@/server/auth/users";
import { MAX_STREAMS_PER_VIEWER } from "@/server/live/stream-slots";

/* One session (or API token) may hold at most MAX_STREAMS_PER_VIEWER live streams; closing one frees its slot. */

const ORIGIN = "http://rxwatch.test";
const noParams = { params: Promise.resolve({}) };

async function signIn(email: string): Promise<string> {
  const response = await authPost(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, host: "rxwatch.test", "x-rxwatch-peer-address": `10.2.0.${Math.floor(Math.random() * 200)}` },
      body: JSON.stringify({ email, password: "stream cap passphrase" }),
    }),
  );
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

async function openStream(headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await getStream(new Request(`${ORIGIN}/api/stream`, { headers, signal: controller.signal }), noParams);
  return { response, close: () => controller.abort() };
}

describe("live streams per session", () => {
  it(`answers 429 to the stream after the ${MAX_STREAMS_PER_VIEWER}th of one session, not to another session, and frees a slot when a stream closes`, async () => {
    await createUser({ email: "streams@example.com", password: "stream cap passphrase", role: "staff" });
    const cookie = await signIn("streams@example.com");
    const open = [];
    for (let index = 0; index < MAX_STREAMS_PER_VIEWER; index += 1) {
      const stream = await openStream({ cookie });
      expect(stream.response.status).toBe(200);
      open.push(stream);
    }
    const refused = await openStream({ cookie });
    expect(refused.response.status).toBe(429);
    expect(await refused.response.json()).toEqual({ error: expect.objectContaining({ code: "too_many_requests", message: expect.stringContaining(`${MAX_STREAMS_PER_VIEWER} live streams`) }) });

    const otherSession = await openStream({ cookie: await signIn("streams@example.com") });
    expect(otherSession.response.status).toBe(200);
    otherSession.close();

    open.pop()?.close();
    const again = await openStream({ cookie });
    expect(again.response.status).toBe(200);
    again.close();
    for (const stream of open) stream.close();
  });

  it("caps an API token's streams the same way", async () => {
    const { secret } = await createApiToken({ name: "stream-cap", role: "staff" }, null);
    const headers = { authorization: `Bearer ${secret}` };
    const open = [];
    for (let index = 0; index < MAX_STREAMS_PER_VIEWER; index += 1) open.push(await openStream(headers));
    expect(open.map((stream) => stream.response.status)).toEqual(Array.from({ length: MAX_STREAMS_PER_VIEWER }, () => 200));
    expect((await openStream(headers)).response.status).toBe(429);
    for (const stream of open) stream.close();
    const reopened = await openStream(headers);
    expect(reopened.response.status).toBe(200);
    reopened.close();
  });
});
