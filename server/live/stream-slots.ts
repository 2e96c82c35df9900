import "server-only";
import type { Viewer } from "@/lib/accounts";
import { AppError } from "@/server/core/errors";
import { processSingleton } from "@/server/core/process-slot";

/**
 * Live streams one session (or one API token) may hold open on one instance.
 * A browser needs one per tab; each open stream holds a subscription, a timer
 * and a connection, so a script opening dozens would tie them up for nothing.
 */
export const MAX_STREAMS_PER_VIEWER = 8;

function openStreams(): Map<string, number> {
  return processSingleton("liveStreamSlots", () => new Map<string, number>());
}

function ownerKey(viewer: Viewer): string {
  return viewer.via === "token" ? `token:${viewer.tokenId}` : `session:${viewer.sessionId ?? viewer.userId}`;
}

/**
 * Claims one of the viewer's stream slots; the returned function gives it back
 * (calling it twice gives back one). Throws AppError `too_many_requests` when
 * all {@link MAX_STREAMS_PER_VIEWER} are taken.
 */
export function claimStreamSlot(viewer: Viewer): () => void {
  const key = ownerKey(viewer);
  const streams = openStreams();
  const held = streams.get(key) ?? 0;
  if (held >= MAX_STREAMS_PER_VIEWER) {
    throw new AppError("too_many_requests", `This session already has ${MAX_STREAMS_PER_VIEWER} live streams open. Close a tab showing RxWatch and try again.`, { limit: MAX_STREAMS_PER_VIEWER });
  }
  streams.set(key, held + 1);
  let isReleased = false;
  return () => {
    if (isReleased) return;
    isReleased = true;
    const left = (streams.get(key) ?? 1) - 1;
    if (left > 0) streams.set(key, left);
    else streams.delete(key);
  };
}
