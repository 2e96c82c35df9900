// GET /api/stream — server-sent change notices (ids only) for live pages; resumable with Last-Event-ID (staff and up); at most 8 open per session.
import { withViewer } from "@/server/http/route-handler";
import { endOnShutdown } from "@/server/live/end-on-shutdown";
import { openChangeStream, parseLastEventId } from "@/server/live/stream";
import { claimStreamSlot } from "@/server/live/stream-slots";

export const dynamic = "force-dynamic";

export const GET = withViewer("staff", async (request, { viewer }) => {
  const url = new URL(request.url);
  const lastEventId = parseLastEventId(request.headers.get("last-event-id") ?? url.searchParams.get("lastEventId"));
  const releaseSlot = claimStreamSlot(viewer);
  return new Response(endOnShutdown(openChangeStream(lastEventId, request.signal, releaseSlot)), {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
});
