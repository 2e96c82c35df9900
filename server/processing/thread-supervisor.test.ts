import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { createWriteGate } from "@/server/core/write-gate";
import type { FromProcessingThread, ProcessingThreadData, ToProcessingThread } from "@/server/processing/thread-messages";
import { superviseProcessingThread, type ThreadHandle } from "@/server/processing/thread-supervisor";

/* A stand-in for the worker thread: the test plays its side of the messages and its exit. */
class FakeThread extends EventEmitter implements ThreadHandle {
  readonly posted: ToProcessingThread[] = [];
  readonly terminate = vi.fn(async () => 0);
  constructor(readonly data: ProcessingThreadData) {
    super();
  }
  postMessage(message: ToProcessingThread): void {
    this.posted.push(message);
  }
}

function supervise(provider: "sqlite" | "postgresql" = "sqlite") {
  const threads: FakeThread[] = [];
  const messages: FromProcessingThread[] = [];
  const onRestart = vi.fn();
  const onThreadEnded = vi.fn();
  const supervisor = superviseProcessingThread({
    provider,
    isWorkerOn: true,
    startThread: (data) => {
      const thread = new FakeThread(data);
      threads.push(thread);
      return thread;
    },
    onMessage: (message) => messages.push(message),
    onThreadEnded,
    restartAfterMs: 10,
    onRestart,
    isShuttingDown: () => false,
  });
  return { supervisor, threads, messages, onRestart, onThreadEnded };
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the processing thread's supervisor", () => {
  it("closes the gate of a thread that ended unexpectedly and starts a new thread with a fresh gate", async () => {
    const { threads, onRestart, onThreadEnded } = supervise();
    const [first] = threads;
    const buffer = first?.data.writeGate;
    if (!first || !buffer) throw new Error("no thread, or no write gate on SQLite");
    // The thread holds its turn and the main thread waits for one when the thread dies.
    await createWriteGate(buffer).acquire();
    let isMainIn = false;
    const mainTurn = createWriteGate(buffer).acquire().then(() => {
      isMainIn = true;
    });
    await later(5);
    expect(isMainIn).toBe(false);
    first.emit("exit", 1);
    await mainTurn;
    expect(isMainIn).toBe(true);
    // Told at once, so the webhook requests waiting for this thread are answered (503) rather than left hanging.
    expect(onThreadEnded).toHaveBeenCalledOnce();
    expect(onRestart).toHaveBeenCalledOnce();
    await later(30);
    expect(threads).toHaveLength(2);
    expect(threads[1]?.data.writeGate).toBeInstanceOf(SharedArrayBuffer);
    expect(threads[1]?.data.writeGate).not.toBe(buffer);
  });

  it("stops a thread when asked, waits for it to report, ends it, and does not start it again", async () => {
    const { supervisor, threads, onRestart } = supervise();
    const [thread] = threads;
    if (!thread) throw new Error("no thread");
    const stopping = supervisor.stop(1_000);
    expect(thread.posted).toEqual([{ type: "stop", stopWaitMs: 1_000 }]);
    expect(thread.terminate).not.toHaveBeenCalled();
    thread.emit("message", { type: "stopped", releasedLeases: 2 } satisfies FromProcessingThread);
    await stopping;
    expect(thread.terminate).toHaveBeenCalledOnce();
    thread.emit("exit", 1);
    await later(30);
    expect(threads).toHaveLength(1);
    expect(onRestart).not.toHaveBeenCalled();
    supervisor.tell({ type: "new-events", count: 1 });
    expect(thread.posted).toHaveLength(1);
  });

  it("passes messages both ways, and shares no gate on PostgreSQL", () => {
    const { supervisor, threads, messages } = supervise("postgresql");
    const [thread] = threads;
    if (!thread) throw new Error("no thread");
    expect(thread.data.writeGate).toBeNull();
    expect(thread.data.isWorkerOn).toBe(true);
    supervisor.tell({ type: "new-events", count: 3 });
    expect(thread.posted).toEqual([{ type: "new-events", count: 3 }]);
    thread.emit("message", { type: "runs", runs: [{ outcome: "succeeded", eventType: "order_created" }] } satisfies FromProcessingThread);
    expect(messages).toEqual([{ type: "runs", runs: [{ outcome: "succeeded", eventType: "order_created" }] }]);
  });
});
