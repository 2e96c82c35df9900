import { z } from "zod";

/*
 * zod 4 compiles object parsers with `new Function` when it can, and finds out
 * by trying. In the browser our Content-Security-Policy forbids eval, so the
 * probe would be blocked and reported as a violation on every page; parsing
 * without the compiled fast path is plenty for the dashboard's responses.
 * The server keeps the fast path (no CSP applies there).
 */
if (typeof window !== "undefined") z.config({ jitless: true });
