import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { malformBody, NO_DELIVERY_FAULTS, wrongSignature, type DeliveryFaults } from "./faults";
import { describeTarget, type EmulatorLogger } from "./log";
import { signWebhookBody } from "./signature";

/*
 * Sends webhooks the way RxScale does (docs/rxscale.md#webhook-deliveries): POST of the exact
 * body bytes with Content-Type, X-Webhook-Event and X-Webhook-Signature; a
 * 2xx answer is success; anything else, a timeout or a network error is
 * retried with exponential backoff until the attempts run out. Deliveries are
 * independent and run concurrently, also to the same target, so arrival
 * order is not guaranteed — as with the real service.
 */

export interface DeliveryPolicy {
  timeoutMs: number;
  retryBaseMs: number;
  retryFactor: number;
  maxAttempts: number;
  retryMaxDelayMs: number;
  insecureTls: boolean;
}

/** Why a delivery was made: generated traffic, a burst, a Management API test, POST /_emulator/send, or a fault. */
export type DeliveryOrigin = "traffic" | "burst" | "test" | "send" | "fault";

export interface DeliveryJob {
  eventType: string;
  /** The exact JSON text to send; it is signed and sent byte for byte. */
  body: string;
  target: string;
  signingSecret: string;
  subscriptionUid: string | null;
  /** `data.uid` of the event, for finding a delivery again (never patient data). */
  dataUid: string | null;
  origin: DeliveryOrigin;
  faults?: DeliveryFaults;
  /** Fault labels recorded on the delivery in addition to those of `faults` (e.g. out_of_order). */
  labels?: string[];
  duplicateOf?: string | null;
  /** Wait this long before the first attempt. */
  startDelayMs?: number;
}

export type AttemptOutcome = "delivered" | "http_error" | "timeout" | "network_error" | "simulated_failure" | "aborted";

export interface AttemptRecord {
  attempt: number;
  started_at: string;
  duration_ms: number;
  outcome: AttemptOutcome;
  status_code: number | null;
  /** Network error code or a short reason; never a body. */
  error: string | null;
  signature: "valid" | "wrong" | "not_sent";
  body: "valid" | "malformed" | "not_sent";
  /** The first 300 characters of the receiver's answer, to show why it refused. */
  response_excerpt: string | null;
}

export type DeliveryStatus = "pending" | "delivered" | "failed" | "abandoned";

/** One delivery as GET /_emulator/deliveries shows it. */
export interface DeliveryRecord {
  id: string;
  event_type: string;
  target: string;
  subscription_uid: string | null;
  data_uid: string | null;
  origin: DeliveryOrigin;
  faults: string[];
  duplicate_of: string | null;
  status: DeliveryStatus;
  attempts: AttemptRecord[];
  max_attempts: number;
  body_sha256: string;
  body_bytes: number;
  created_at: string;
  next_attempt_at: string | null;
  settled_at: string | null;
}

export interface DeliveryStats {
  pending: number;
  /** Pending deliveries held back by hold(), sent on release(). */
  held: number;
  delivered: number;
  failed: number;
  abandoned: number;
  attempts: number;
}

/**
 * Delay before attempt `attempt + 1` after attempt `attempt` (1-based)
 * failed: base·factor^(attempt−1), capped. No jitter: the emulator's schedule
 * is meant to be predictable in a demo and in tests.
 */
export function retryDelayMs(attempt: number, policy: Pick<DeliveryPolicy, "retryBaseMs" | "retryFactor" | "retryMaxDelayMs">): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.round(Math.min(policy.retryMaxDelayMs, policy.retryBaseMs * policy.retryFactor ** exponent));
}

type PostResult =
  | { kind: "response"; status: number; excerpt: string }
  | { kind: "timeout" }
  | { kind: "network_error"; code: string }
  | { kind: "aborted" };

interface InFlight {
  abort: () => void;
  done: Promise<void>;
}

interface Entry {
  record: DeliveryRecord;
  job: DeliveryJob;
  faults: DeliveryFaults;
  sentAttempts: number;
  timer: NodeJS.Timeout | null;
  inFlight: InFlight | null;
  settled: Promise<DeliveryRecord>;
  resolveSettled: (record: DeliveryRecord) => void;
}

const RESPONSE_EXCERPT_CHARS = 300;
const RESPONSE_READ_LIMIT_BYTES = 4_096;

export class Deliverer {
  private readonly entries = new Map<string, Entry>();
  private sequence = 0;
  private stopping = false;
  private isHolding = false;
  private held: Entry[] = [];
  private readonly counts: Omit<DeliveryStats, "held"> = { pending: 0, delivered: 0, failed: 0, abandoned: 0, attempts: 0 };

  constructor(
    private readonly policy: DeliveryPolicy,
    private readonly log: EmulatorLogger,
    private readonly logSize: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Queues a delivery and starts its first attempt (after `startDelayMs`). */
  enqueue(job: DeliveryJob): DeliveryRecord {
    this.sequence += 1;
    const id = `dlv-${String(this.sequence).padStart(6, "0")}`;
    const faults = job.faults ?? NO_DELIVERY_FAULTS;
    const record: DeliveryRecord = {
      id,
      event_type: job.eventType,
      target: job.target,
      subscription_uid: job.subscriptionUid,
      data_uid: job.dataUid,
      origin: job.origin,
      faults: [...(job.labels ?? []), ...(job.duplicateOf ? ["duplicate"] : []), ...faultLabels(faults)],
      duplicate_of: job.duplicateOf ?? null,
      status: "pending",
      attempts: [],
      max_attempts: this.policy.maxAttempts,
      body_sha256: createHash("sha256").update(job.body, "utf8").digest("hex"),
      body_bytes: Buffer.byteLength(job.body, "utf8"),
      created_at: new Date(this.now()).toISOString(),
      next_attempt_at: null,
      settled_at: null,
    };
    let resolveSettled: (record: DeliveryRecord) => void = () => {};
    const settled = new Promise<DeliveryRecord>((resolve) => {
      resolveSettled = resolve;
    });
    const entry: Entry = { record, job, faults, sentAttempts: 0, timer: null, inFlight: null, settled, resolveSettled };
    this.entries.set(id, entry);
    this.counts.pending += 1;
    if (this.stopping) {
      this.settle(entry, "abandoned");
      return record;
    }
    this.schedule(entry, job.startDelayMs ?? 0);
    this.trim();
    return record;
  }

  /** Newest last. Unsettled deliveries are always included; settled ones up to the log size. */
  list(filter: { status?: DeliveryStatus; eventType?: string; limit?: number } = {}): DeliveryRecord[] {
    const records = [...this.entries.values()].map((entry) => entry.record).filter((record) => (filter.status === undefined || record.status === filter.status) && (filter.eventType === undefined || record.event_type === filter.eventType));
    return filter.limit === undefined ? records : records.slice(-filter.limit);
  }

  find(id: string): DeliveryRecord | undefined {
    return this.entries.get(id)?.record;
  }

  /** Resolves when the delivery is delivered, failed for good or abandoned. */
  async waitFor(id: string): Promise<DeliveryRecord | undefined> {
    return this.entries.get(id)?.settled;
  }

  get stats(): DeliveryStats {
    return { ...this.counts, held: this.held.length };
  }

  /**
   * Holds every attempt that comes due from now on (first attempts and
   * retries alike) instead of sending it, as if the sender's queue were cut
   * off from the receiver — an outage seen from RxScale's side. Attempts
   * already in flight finish normally.
   */
  hold(): void {
    this.isHolding = true;
  }

  /**
   * Ends a hold and sends every held attempt at once (the retry backlog
   * draining after an outage); returns how many were released.
   */
  release(): number {
    this.isHolding = false;
    const released = this.held;
    this.held = [];
    for (const entry of released) void this.attempt(entry);
    return released.length;
  }

  get isHeld(): boolean {
    return this.isHolding;
  }

  /**
   * Stops retrying. Attempts in flight get `graceMs` to finish; scheduled
   * retries are not sent. Every delivery left unfinished is marked
   * `abandoned`, logged and returned, so nothing is lost silently.
   */
  async stop(graceMs: number): Promise<DeliveryRecord[]> {
    this.stopping = true;
    this.held = [];
    const abandoned: DeliveryRecord[] = [];
    for (const entry of this.entries.values()) {
      if (entry.record.status !== "pending" || entry.inFlight) continue;
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      this.settle(entry, "abandoned");
      abandoned.push(entry.record);
    }
    const inFlight = [...this.entries.values()].filter((entry) => entry.inFlight);
    if (inFlight.length > 0) {
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        graceTimer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(inFlight.map((entry) => entry.inFlight?.done)), grace]);
      clearTimeout(graceTimer);
      for (const entry of inFlight) entry.inFlight?.abort();
      await Promise.all(inFlight.map((entry) => entry.inFlight?.done));
      for (const entry of inFlight) if (entry.record.status === "abandoned") abandoned.push(entry.record);
    }
    if (abandoned.length > 0) {
      const shown = abandoned.slice(0, 20).map((record) => `${record.id} ${record.event_type} → ${describeTarget(record.target)}`);
      this.log.warn(`stopped with ${abandoned.length} deliveries not delivered (abandoned): ${shown.join("; ")}${abandoned.length > shown.length ? "; …" : ""}`);
    }
    return abandoned;
  }

  private schedule(entry: Entry, delayMs: number): void {
    entry.record.next_attempt_at = new Date(this.now() + delayMs).toISOString();
    entry.timer = setTimeout(() => {
      entry.timer = null;
      void this.attempt(entry);
    }, delayMs);
    entry.timer.unref();
  }

  private async attempt(entry: Entry): Promise<void> {
    if (this.stopping) return;
    if (this.isHolding) {
      this.held.push(entry);
      return;
    }
    const { record, job } = entry;
    const number = record.attempts.length + 1;
    record.next_attempt_at = null;
    const startedAt = this.now();

    if (number === 1 && entry.faults.delayedRetry) {
      this.finishAttempt(entry, { attempt: number, started_at: new Date(startedAt).toISOString(), duration_ms: 0, outcome: "simulated_failure", status_code: null, error: "delayed_retry fault: not sent", signature: "not_sent", body: "not_sent", response_excerpt: null });
      return;
    }

    const isFirstSent = entry.sentAttempts === 0;
    entry.sentAttempts += 1;
    const isMalformed = isFirstSent && entry.faults.malformedBody;
    const isWrongSignature = isFirstSent && entry.faults.wrongSignature;
    const bytes = Buffer.from(isMalformed ? malformBody(job.body) : job.body, "utf8");
    const signature = isWrongSignature ? wrongSignature(bytes) : signWebhookBody(bytes, job.signingSecret);
    const headers = { "content-type": "application/json", "x-webhook-event": job.eventType, "x-webhook-signature": signature, "user-agent": "RxScale-Emulator/1.0" };

    let url: URL;
    try {
      url = new URL(job.target);
    } catch {
      this.finishAttempt(entry, { attempt: number, started_at: new Date(startedAt).toISOString(), duration_ms: 0, outcome: "network_error", status_code: null, error: "invalid target URL", signature: "not_sent", body: "not_sent", response_excerpt: null });
      return;
    }

    const request = post(url, bytes, headers, this.policy.timeoutMs, this.policy.insecureTls);
    let finished: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      finished = resolve;
    });
    entry.inFlight = { abort: request.abort, done };
    const result = await request.result;
    entry.inFlight = null;
    const base = {
      attempt: number,
      started_at: new Date(startedAt).toISOString(),
      duration_ms: this.now() - startedAt,
      signature: isWrongSignature ? ("wrong" as const) : ("valid" as const),
      body: isMalformed ? ("malformed" as const) : ("valid" as const),
    };
    switch (result.kind) {
      case "response":
        this.finishAttempt(entry, { ...base, outcome: result.status >= 200 && result.status < 300 ? "delivered" : "http_error", status_code: result.status, error: null, response_excerpt: result.excerpt.slice(0, RESPONSE_EXCERPT_CHARS) || null });
        break;
      case "timeout":
        this.finishAttempt(entry, { ...base, outcome: "timeout", status_code: null, error: `no answer within ${this.policy.timeoutMs} ms`, response_excerpt: null });
        break;
      case "network_error":
        this.finishAttempt(entry, { ...base, outcome: "network_error", status_code: null, error: result.code, response_excerpt: null });
        break;
      case "aborted":
        record.attempts.push({ ...base, outcome: "aborted", status_code: null, error: "emulator stopped", response_excerpt: null });
        this.counts.attempts += 1;
        this.settle(entry, "abandoned");
        break;
    }
    finished();
  }

  private finishAttempt(entry: Entry, attempt: AttemptRecord): void {
    const { record } = entry;
    record.attempts.push(attempt);
    this.counts.attempts += 1;
    const what = `${record.id} ${record.event_type} → ${describeTarget(record.target)} attempt ${attempt.attempt}/${this.policy.maxAttempts}`;
    const result = attempt.status_code === null ? (attempt.error ?? attempt.outcome) : String(attempt.status_code);
    const faults = record.faults.length > 0 ? ` [${record.faults.join(", ")}]` : "";
    if (attempt.outcome === "delivered") {
      this.log.info(`${what}: ${result} in ${attempt.duration_ms} ms${faults}`);
      this.settle(entry, "delivered");
      return;
    }
    if (this.stopping) {
      this.log.info(`${what}: ${result}${faults}; not retried, emulator stopping`);
      this.settle(entry, "abandoned");
      return;
    }
    if (attempt.attempt >= this.policy.maxAttempts) {
      this.log.warn(`${what}: ${result}${faults}; giving up after ${attempt.attempt} attempts`);
      this.settle(entry, "failed");
      return;
    }
    const delay = retryDelayMs(attempt.attempt, this.policy);
    this.log.info(`${what}: ${result}${faults}; retry in ${formatDelay(delay)}`);
    this.schedule(entry, delay);
  }

  private settle(entry: Entry, status: Exclude<DeliveryStatus, "pending">): void {
    if (entry.record.status !== "pending") return;
    entry.record.status = status;
    entry.record.settled_at = new Date(this.now()).toISOString();
    entry.record.next_attempt_at = null;
    this.counts.pending -= 1;
    this.counts[status] += 1;
    entry.resolveSettled(entry.record);
    this.trim();
  }

  /** Drops the oldest settled deliveries beyond the log size; pending ones stay whatever the size. */
  private trim(): void {
    if (this.entries.size <= this.logSize) return;
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.logSize) break;
      if (entry.record.status !== "pending") this.entries.delete(id);
    }
  }
}

function faultLabels(faults: DeliveryFaults): string[] {
  const labels: string[] = [];
  if (faults.delayedRetry) labels.push("delayed_retry");
  if (faults.wrongSignature) labels.push("wrong_signature");
  if (faults.malformedBody) labels.push("malformed_body");
  return labels;
}

function formatDelay(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${(ms / 1_000).toFixed(ms % 1_000 === 0 ? 0 : 1)} s`;
}

function errorCode(error: unknown): string {
  if (error instanceof Error && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.name : "error";
}

/**
 * One POST with a deadline covering connect, answer and reading the answer.
 * A new connection per request: keep-alive reuse would race with receivers
 * closing idle sockets and show up as spurious failed attempts.
 */
function post(url: URL, body: Buffer, headers: Record<string, string>, timeoutMs: number, insecureTls: boolean): { result: Promise<PostResult>; abort: () => void } {
  let abort: () => void = () => {};
  const result = new Promise<PostResult>((resolve) => {
    let isDone = false;
    const finish = (value: PostResult) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      resolve(value);
    };
    const options = { method: "POST", headers: { ...headers, "content-length": String(body.length) }, agent: false as const };
    const onResponse = (response: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        if (size < RESPONSE_READ_LIMIT_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      response.on("end", () => finish({ kind: "response", status: response.statusCode ?? 0, excerpt: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", (error) => finish({ kind: "network_error", code: errorCode(error) }));
    };
    const request = url.protocol === "https:" ? https.request(url, { ...options, rejectUnauthorized: !insecureTls }, onResponse) : http.request(url, options, onResponse);
    const timer = setTimeout(() => {
      finish({ kind: "timeout" });
      request.destroy();
    }, timeoutMs);
    request.on("error", (error) => finish({ kind: "network_error", code: errorCode(error) }));
    abort = () => {
      finish({ kind: "aborted" });
      request.destroy();
    };
    request.end(body);
  });
  return { result, abort };
}
