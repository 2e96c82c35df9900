import { afterEach, describe, expect, it, vi } from "vitest";
import { connectIngestThread, HANDOFF_ANSWER_TIMEOUT_MS, handOffToProcessingThread, type HandedOffWebhook, type IngestThreadLink } from "@/server/ingest/ingest-handoff";
import type { ReadWebhook, StoredWebhook } from "@/server/ingest/receive-webhook";

function readWebhook(body: string): ReadWebhook {
  return { read: { kind: "ok", bytes: new TextEncoder().encode(body) }, headers: [["content-type", "application/json"]], receivedAtMs: 0, startedAtEpochMs: 0 };
}

function accepted(eventId: string): StoredWebhook {
  return { reply: { status: 200, body: { status: "accepted", event_id: eventId } }, eventType: "order_created" };
}

let link: IngestThreadLink | null = null;
afterEach(() => {
  link?.disconnect();
  link = null;
  vi.useRealTimers();
});

describe("handing webhook requests to the processing thread", () => {
  it("is refused at once when no thread is connected, so the request is stored on this thread", async () => {
    await expect(handOffToProcessingThread(readWebhook("{}"))).resolves.toEqual({ kind: "no-thread" });
  });

  it("routes each answer to the request it belongs to, whatever the order they come back in", async () => {
    const sent: HandedOffWebhook[] = [];
    link = connectIngestThread((request) => sent.push(request));
    const first = handOffToProcessingThread(readWebhook('{"n":1}'));
    const second = handOffToProcessingThread(readWebhook('{"n":2}'));
    expect(sent).toHaveLength(2);
    const [one, two] = sent;
    if (!one || !two) throw new Error("not sent");
    expect(one.id).not.toBe(two.id);
    expect(new TextDecoder().decode(one.webhook.read.kind === "ok" ? one.webhook.read.bytes : new Uint8Array())).toBe('{"n":1}');
    link.answer({ id: two.id, stored: accepted("event-2"), queuedDeliveries: 0 });
    link.answer({ id: one.id, stored: accepted("event-1"), queuedDeliveries: 0 });
    await expect(first).resolves.toEqual({ kind: "stored", stored: accepted("event-1") });
    await expect(second).resolves.toEqual({ kind: "stored", stored: accepted("event-2") });
  });

  it("answers the requests still waiting when the thread ends, and stores later ones on this thread", async () => {
    link = connectIngestThread(() => undefined);
    const waiting = handOffToProcessingThread(readWebhook("{}"));
    link.disconnect();
    await expect(waiting).resolves.toEqual({ kind: "thread-ended" });
    await expect(handOffToProcessingThread(readWebhook("{}"))).resolves.toEqual({ kind: "no-thread" });
  });

  it("gives up on a thread that does not answer, so the request gets its 503 instead of hanging, and ignores a late answer", async () => {
    vi.useFakeTimers();
    const sent: HandedOffWebhook[] = [];
    link = connectIngestThread((request) => sent.push(request));
    const waiting = handOffToProcessingThread(readWebhook("{}"));
    let handOff: unknown = null;
    void waiting.then((settled) => (handOff = settled));
    await vi.advanceTimersByTimeAsync(HANDOFF_ANSWER_TIMEOUT_MS - 1);
    expect(handOff).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(handOff).toEqual({ kind: "no-answer" });
    const [late] = sent;
    if (!late) throw new Error("not sent");
    expect(() => link?.answer({ id: late.id, stored: accepted("event-late"), queuedDeliveries: 0 })).not.toThrow();
    await expect(waiting).resolves.toEqual({ kind: "no-answer" });
  });
});
