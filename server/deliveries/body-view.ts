import "server-only";
import type { DeliveryBodyDto, NotDisplayableReason } from "@/lib/deliveries";
import { jsonNestingDepth, prettyJsonWithin } from "@/lib/pretty-json";
import { placeholderOf, redactBodyText, redactUnparsedBody, type MaskedPath } from "@/lib/redaction";
import { log } from "@/server/core/logger";

/*
 * How a stored body becomes text for people: the detail view and the export.
 * Any stored body, however deep or wide, is shown within bounded size or as
 * "not displayable" with a reason; nothing here throws on a body's shape.
 * See docs/deliveries.md#bodies-that-cannot-be-shown
 */

/** Bytes of a non-UTF-8 body shown as hex. */
const HEX_PREVIEW_BYTES = 1_024;
/** Deeper JSON is not shown: RxScale's nests about five deep; a deep body is a probe, and indenting it grows quadratically. */
export const MAX_DISPLAY_DEPTH = 64;
/** Characters of body text sent to a browser or written into one export row, whoever asks. */
export const MAX_DISPLAY_CHARS = 4 * 1024 * 1024;

/** What an export row carries in place of a body it cannot show. */
const NOT_DISPLAYABLE_PLACEHOLDER = "‹not_displayable›";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function hexPreview(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const chunk = bytes.subarray(offset, offset + 16);
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${Array.from(chunk, (byte) => byte.toString(16).padStart(2, "0")).join(" ")}`);
  }
  return lines.join("\n");
}

export interface PresentedBody {
  body: DeliveryBodyDto;
  /** What was masked (empty when shown unmasked or when nothing needed it). */
  maskedPaths: MaskedPath[];
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Why `text` cannot be shown at all, before any work that grows with its shape; null when it can be tried. */
function refusalOf(text: string, isJson: boolean): NotDisplayableReason | null {
  if (text.length > MAX_DISPLAY_CHARS) return "too_large";
  if (isJson && jsonNestingDepth(text) > MAX_DISPLAY_DEPTH) return "too_deep";
  return null;
}

/** The text shown for `text`: pretty-printed JSON (masked unless revealed) or the text itself; a reason instead when over the caps. */
function renderText(text: string, isJson: boolean, exposure: { isRevealed: boolean; eventType: string | null }): { text: string; maskedPaths: MaskedPath[] } | NotDisplayableReason {
  const refusal = refusalOf(text, isJson);
  if (refusal) return refusal;
  if (exposure.isRevealed) {
    const shown = isJson ? prettyJsonWithin(text, MAX_DISPLAY_CHARS) : text;
    return shown === null ? "too_large" : { text: shown, maskedPaths: [] };
  }
  const redacted = redactBodyText(exposure.eventType, text);
  // Masked values are re-serialised compactly, then indented within the cap (a placeholder is longer than the digit it hides).
  const shown = isJson ? prettyJsonWithin(JSON.stringify(redacted.value), MAX_DISPLAY_CHARS) : redacted.text;
  return shown === null ? "too_large" : { text: shown, maskedPaths: redacted.maskedPaths };
}

/** Decodes a sample leniently: it may end inside a character, and it is shown as text, never parsed. */
const lenientUtf8 = new TextDecoder("utf-8");

/**
 * A rejected request's stored sample (its first bytes, never the whole body):
 * the text as received when revealed, else masked whole like any body that is
 * not JSON (a cut JSON document cannot be masked field by field).
 */
function presentSample(sample: Uint8Array, size: number, isRevealed: boolean): PresentedBody {
  if (!isRevealed) return { body: { kind: "sample", size, sampleBytes: sample.length, text: placeholderOf("unparsed") }, maskedPaths: redactUnparsedBody().maskedPaths };
  return { body: { kind: "sample", size, sampleBytes: sample.length, text: lenientUtf8.decode(sample) }, maskedPaths: [] };
}

/**
 * How a stored body is shown: the one place bodies are turned into text for
 * people. Unless `isRevealed`, personal data is masked here, before anything
 * leaves the server: JSON field by field under `eventType`'s policy
 * (lib/redaction.ts), anything else whole. The unmasked JSON is re-indented
 * without re-serialising (exact digits); the masked one is re-serialised.
 * Never throws: a body past the caps is `not_displayable` with its reason.
 */
export function presentDeliveryBody(body: Uint8Array | null, size: number, sha256: string, exposure: { isRevealed: boolean; eventType: string | null }): PresentedBody {
  // Refusals before reading (413, 415) store no body and an empty hash; otherwise a missing body was not kept.
  if (body === null) return { body: { kind: "none", size, reason: sha256 === "" ? "not_read" : "not_kept" }, maskedPaths: [] };
  if (body.length < size) return presentSample(body, size, exposure.isRevealed);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    if (!exposure.isRevealed) return { body: { kind: "binary", size, hexPreview: placeholderOf("unparsed"), previewBytes: 0 }, maskedPaths: redactUnparsedBody().maskedPaths };
    const preview = body.subarray(0, HEX_PREVIEW_BYTES);
    return { body: { kind: "binary", size, hexPreview: hexPreview(preview), previewBytes: preview.length }, maskedPaths: [] };
  }
  const isJson = isJsonText(text);
  let rendered: ReturnType<typeof renderText>;
  try {
    rendered = renderText(text, isJson, exposure);
  } catch (error) {
    // The caps above should make this unreachable; if a shape still breaks rendering, support sees why instead of a 500.
    log("error", "delivery body not rendered", { error: error instanceof Error ? error.name : "unknown", size });
    rendered = "failed";
  }
  if (typeof rendered === "string") return { body: { kind: "not_displayable", size, sha256, reason: rendered }, maskedPaths: [] };
  return { body: { kind: isJson ? "json" : "text", size, text: rendered.text }, maskedPaths: rendered.maskedPaths };
}

/** A body as one export row carries it, and why it is a placeholder when it is one. */
export interface ExportedBody {
  text: string | null;
  notDisplayable: NotDisplayableReason | null;
}

/**
 * A body as an export carries it: masked like the detail view, compact JSON
 * (or a placeholder for anything else); unmasked, the text as received, or
 * base64 after a `base64:` prefix when it is not UTF-8. A masked body past the
 * caps is `‹not_displayable›`, so one row never aborts an export.
 */
export function exportedBody(body: Uint8Array | null, eventType: string | null, isMasked: boolean): ExportedBody {
  if (body === null) return { text: null, notDisplayable: null };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { text: isMasked ? placeholderOf("unparsed") : `base64:${Buffer.from(body).toString("base64")}`, notDisplayable: null };
  }
  if (!isMasked) return { text, notDisplayable: null };
  const notDisplayable = (reason: NotDisplayableReason): ExportedBody => ({ text: NOT_DISPLAYABLE_PLACEHOLDER, notDisplayable: reason });
  const refusal = refusalOf(text, isJsonText(text));
  if (refusal) return notDisplayable(refusal);
  try {
    const { value } = redactBodyText(eventType, text);
    const compact = typeof value === "string" ? value : JSON.stringify(value);
    return compact.length > MAX_DISPLAY_CHARS ? notDisplayable("too_large") : { text: compact, notDisplayable: null };
  } catch (error) {
    log("error", "exported body not rendered", { error: error instanceof Error ? error.name : "unknown", size: body.length });
    return notDisplayable("failed");
  }
}
