import { z } from "zod";

/**
 * What the live stream (GET /api/stream) tells browsers: only that something
 * changed and its id — never data, so nothing sensitive can leak through it.
 * Pages refetch what they show through the JSON API, which checks roles.
 */
export const changeNoticeSchema = z.object({
  kind: z.enum(["order", "delivery"]),
  key: z.string(),
});
export type ChangeNotice = z.infer<typeof changeNoticeSchema>;

/** SSE event name of change notices; heartbeats are comments. */
export const CHANGE_EVENT = "change";

/**
 * SSE event sent as the last frame when the serving instance shuts down; the
 * stream then ends and the browser's EventSource reconnects (behind a load
 * balancer, to another instance) after the `retry` it carries.
 */
export const SHUTDOWN_EVENT = "shutdown";
