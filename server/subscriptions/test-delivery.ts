import "server-only";

/*
 * Which delivery is the one a "send test event" produced. Deliveries of the
 * same event type keep arriving from real traffic while RxWatch waits, so a
 * test passes only on its own delivery (docs/rxscale.md#test-events):
 * - when RxScale's answer to the test call names the `data.uid` of each test
 *   delivery, only a delivery with one of those uids matches;
 * - otherwise the test payload's marker must be there: `data.test === true`,
 *   and `data.subscription_uid`, when present, names this subscription.
 * RxScale does not document the test payload; both rules are assumptions the
 * emulator shares and docs/rxscale.md lists.
 */

export interface TestDeliveryExpectation {
  subscriptionUid: string;
  /** `data_uid`s RxScale's test answer returned; empty when it returned none. */
  dataUids: readonly string[];
}

function dataOf(body: Uint8Array | null): Record<string, unknown> | null {
  if (body === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || !("data" in value)) return null;
  const data = value.data;
  return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
}

/** Whether a delivery's raw body carries the marker of a test delivery sent for this subscription (RxScale's test answer aside). */
export function isMarkedTestDelivery(body: Uint8Array | null, subscriptionUid: string): boolean {
  const data = dataOf(body);
  if (!data || data.test !== true) return false;
  return data.subscription_uid === undefined || data.subscription_uid === subscriptionUid;
}

/** Whether a delivery's raw body is the test delivery expected. */
export function isExpectedTestDelivery(body: Uint8Array | null, expected: TestDeliveryExpectation): boolean {
  if (expected.dataUids.length > 0) {
    const data = dataOf(body);
    return typeof data?.uid === "string" && expected.dataUids.includes(data.uid);
  }
  return isMarkedTestDelivery(body, expected.subscriptionUid);
}
