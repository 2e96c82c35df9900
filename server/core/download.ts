import "server-only";

/** A streamed file download, as the export services hand it to their routes. */
export interface Download {
  stream: ReadableStream<Uint8Array>;
  filename: string;
  contentType: string;
}

/** A value in one exported row. */
export type ExportValue = string | number | null;

/**
 * One CSV field (RFC 4180). Text that a spreadsheet would run as a formula
 * gets a leading apostrophe: header values of unsigned requests end up in
 * exports, and anyone can send those.
 */
export function csvField(value: ExportValue): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The response for a download: an attachment that is never cached or sniffed into something runnable. */
export function downloadResponse(file: Download, headers: Record<string, string> = {}): Response {
  return new Response(file.stream, {
    headers: {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...headers,
    },
  });
}
