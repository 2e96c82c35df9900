import "server-only";

/**
 * Why a Management API call failed, so a caller can react without parsing messages:
 * - `unauthorized` (401): key wrong, revoked or for another environment — fix the key. `forbidden` (403): the key lacks this operation's permission — create a key with it.
 * - `rate_limited` (429): still over 10 requests/s or 600/min after the retries — wait, then retry. `timeout`: no complete answer in time; `server_error` (5xx): RxScale failed on every attempt — retry later.
 * - `validation` (400, 409, 422, other 4xx): RxScale refused the request; `details` may name the field or the existing subscription. `not_found` (404): no such subscription, or the base URL does not lead to the Management API.
 * - `unreachable`: no HTTP answer (DNS, refused connection, TLS) — check the base URL and outbound network. `malformed_response`: a 2xx whose body is not as documented, or a redirect elsewhere — check the base URL.
 */
export type RxScaleErrorKind = "unauthorized" | "forbidden" | "rate_limited" | "validation" | "not_found" | "unreachable" | "timeout" | "server_error" | "malformed_response";

export interface RxScaleErrorDetails {
  /** The request field RxScale named, when it named one. */
  field?: string;
  /** The subscription that already exists, when RxScale said so (409). */
  existingUid?: string;
}

/**
 * The only error the RxScale client throws. `message` is written for an
 * admin and may be shown as is: it never contains the API key or payload data.
 */
export class RxScaleApiError extends Error {
  readonly kind: RxScaleErrorKind;
  /** HTTP status of the last answer, null when there was none. */
  readonly status: number | null;
  /** e.g. "list subscriptions". */
  readonly operation: string;
  /** How many requests were made, retries included. */
  readonly attempts: number;
  /** From the last Retry-After header, when there was one. */
  readonly retryAfterSeconds: number | null;
  readonly details: RxScaleErrorDetails;

  constructor(init: { kind: RxScaleErrorKind; message: string; operation: string; status?: number | null; attempts?: number; retryAfterSeconds?: number | null; details?: RxScaleErrorDetails }) {
    super(init.message);
    this.name = "RxScaleApiError";
    this.kind = init.kind;
    this.status = init.status ?? null;
    this.operation = init.operation;
    this.attempts = init.attempts ?? 1;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
    this.details = init.details ?? {};
  }

  /** Whether trying the same call again later may succeed. */
  get isTransient(): boolean {
    return this.kind === "rate_limited" || this.kind === "timeout" || this.kind === "server_error" || this.kind === "unreachable";
  }
}
