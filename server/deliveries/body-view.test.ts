import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { exportedBody, presentDeliveryBody, MAX_DISPLAY_CHARS } from "./body-view";

/*
 * Any stored body, however deep or wide, renders within bounded size or is
 * shown as "not displayable" with its hash, size and reason: never a throw
 * (issue 13, finding 1).
 */

const bytesOf = (text: string) => new TextEncoder().encode(text);
const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function present(text: string, isRevealed: boolean, eventType: string | null = null) {
  const bytes = bytesOf(text);
  return presentDeliveryBody(bytes, bytes.length, sha256Of(bytes), { isRevealed, eventType });
}

/** Visible text of a presented body, "" when it carries none. */
function textOf(result: ReturnType<typeof present>): string {
  const { body } = result;
  return body.kind === "json" || body.kind === "text" ? body.text : body.kind === "binary" ? body.hexPreview : "";
}

describe("presentDeliveryBody on hostile shapes", () => {
  it("shows 2,000 nested arrays as not displayable, with hash, size and reason, masked or revealed", () => {
    const text = `${"[".repeat(2000)}${"]".repeat(2000)}`;
    for (const isRevealed of [false, true]) {
      const { body } = present(text, isRevealed);
      expect(body).toEqual({ kind: "not_displayable", size: 4000, sha256: sha256Of(bytesOf(text)), reason: "too_deep" });
    }
  });

  it("keeps a 2 KB body nested 1,000 deep from growing into megabytes", () => {
    const text = `${'{"a":'.repeat(400)}1${"}".repeat(400)}`;
    for (const isRevealed of [false, true]) expect(textOf(present(text, isRevealed)).length).toBeLessThan(64 * 1024);
  });

  it("still pretty-prints and masks an ordinary order body", () => {
    const text = JSON.stringify({ event_type: "pharmacy_order_created", timestamp: 1, payload_version: "1", data: { uid: "po-1", patient_data: { display_name: "Erika" } } });
    const masked = present(text, false);
    expect(masked.body.kind).toBe("json");
    expect(textOf(masked)).toContain('"uid": "po-1"');
    expect(textOf(masked)).not.toContain("Erika");
    expect(textOf(present(text, true))).toContain('"display_name": "Erika"');
  });

  it("exports a placeholder for a body it cannot display instead of throwing", () => {
    const bytes = bytesOf(`${"[".repeat(20_000)}${"]".repeat(20_000)}`);
    expect(exportedBody(bytes, null, true)).toEqual({ text: "‹not_displayable›", notDisplayable: "too_deep" });
  });
});

/** Random JSON text up to depth 10,000 and about 1 MiB: wrappers around a random core, repeated to fill width. */
const hostileJson = fc
  .record({
    wrappers: fc.array(fc.constantFrom("[", '{"data":', '{"patient_data":', '{"‹x›":', '{"k":1,"v":'), { maxLength: 10_000 }),
    core: fc.jsonValue({ maxDepth: 4 }),
    width: fc.integer({ min: 1, max: 1024 * 1024 }),
  })
  .map(({ wrappers, core, width }) => {
    const item = JSON.stringify(core) ?? "null";
    const copies = Math.max(1, Math.min(Math.floor(width / (item.length + 1)), 200_000));
    const wide = copies === 1 ? item : `[${Array.from({ length: copies }, () => item).join(",")}]`;
    const closers = wrappers.map((wrapper) => (wrapper === "[" ? "]" : "}")).reverse().join("");
    return `${wrappers.join("")}${wide}${closers}`;
  });

describe("presentDeliveryBody over random JSON", () => {
  it("renders any body within the output cap or says why not, never throwing", () => {
    fc.assert(
      fc.property(hostileJson, fc.boolean(), fc.constantFrom(null, "pharmacy_order_created", "order_created"), (text, isRevealed, eventType) => {
        const result = present(text, isRevealed, eventType);
        expect(textOf(result).length).toBeLessThanOrEqual(MAX_DISPLAY_CHARS);
        if (result.body.kind === "not_displayable") expect(result.body.size).toBe(bytesOf(text).length);
        expect(() => exportedBody(bytesOf(text), eventType, true)).not.toThrow();
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe("presentDeliveryBody on a rejected request's sample", () => {
  const whole = bytesOf(`{"event_type":"pharmacy_order_created","data":{"patient_data":{"display_name":"Erika Beispiel"}},"pad":"${"x".repeat(8_000)}"}`);
  const sample = whole.subarray(0, 4_096);

  it("shows a sample as the first bytes of the whole body, masked whole until revealed", () => {
    expect(presentDeliveryBody(sample, whole.length, sha256Of(whole), { isRevealed: false, eventType: null })).toEqual({
      body: { kind: "sample", size: whole.length, sampleBytes: 4_096, text: "‹unparsed›" },
      maskedPaths: [{ path: "$", category: "unparsed" }],
    });
    expect(presentDeliveryBody(sample, whole.length, sha256Of(whole), { isRevealed: true, eventType: null }).body).toEqual({ kind: "sample", size: whole.length, sampleBytes: 4_096, text: new TextDecoder().decode(sample) });
  });

  it("shows a sample cut inside a character as text rather than refusing it", () => {
    const cut = bytesOf("ä".repeat(3_000)).subarray(0, 4_095);
    const { body } = presentDeliveryBody(cut, 6_000, "0".repeat(64), { isRevealed: true, eventType: null });
    expect(body).toMatchObject({ kind: "sample", sampleBytes: 4_095 });
    expect(body.kind === "sample" ? body.text.startsWith("ää") : false).toBe(true);
  });
});
