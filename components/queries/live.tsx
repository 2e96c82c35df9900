"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { CHANGE_EVENT, changeNoticeSchema } from "@/lib/live";
import { queryKeys } from "./keys";

export type LiveStatus = "connecting" | "live" | "reconnecting";
const LiveStatusContext = createContext<LiveStatus>("connecting");

/** Coalesces bursts of notices into one refetch per resource. */
const FLUSH_AFTER_MS = 60;
/** Insights reads whole date ranges: during a burst of orders it refetches at most this often. */
const INSIGHTS_REFRESH_MS = 5_000;

/**
 * Opens the one live stream of the signed-in shell and folds its change
 * notices into the TanStack Query cache by invalidating what changed. The
 * browser's EventSource reconnects by itself and resumes with Last-Event-ID,
 * so notices sent while it was away are replayed by the server.
 */
export function LiveUpdatesProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");

  useEffect(() => {
    const source = new EventSource("/api/stream");
    const changedOrders = new Set<string>();
    let deliveriesChanged = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let insightsTimer: ReturnType<typeof setTimeout> | null = null;
    let insightsRefreshedAt = 0;
    const refreshInsights = () => {
      insightsTimer = null;
      insightsRefreshedAt = Date.now();
      void queryClient.invalidateQueries({ queryKey: queryKeys.insights() });
    };

    const flush = () => {
      timer = null;
      if (changedOrders.size > 0) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.orders() });
        for (const uid of changedOrders) void queryClient.invalidateQueries({ queryKey: queryKeys.order(uid) });
        changedOrders.clear();
        insightsTimer ??= setTimeout(refreshInsights, Math.max(0, insightsRefreshedAt + INSIGHTS_REFRESH_MS - Date.now()));
        // An order changes when one of its events was processed: the deliveries page shows that event's processing state.
        deliveriesChanged = true;
      }
      if (deliveriesChanged) {
        deliveriesChanged = false;
        void queryClient.invalidateQueries({ queryKey: queryKeys.deliveries() });
      }
    };

    source.onopen = () => setStatus("live");
    source.onerror = () => setStatus("reconnecting");
    source.addEventListener(CHANGE_EVENT, (message) => {
      let value: unknown;
      try {
        value = JSON.parse((message as MessageEvent<string>).data);
      } catch {
        return;
      }
      const notice = changeNoticeSchema.safeParse(value);
      if (!notice.success) return;
      if (notice.data.kind === "order") changedOrders.add(notice.data.key);
      else deliveriesChanged = true;
      timer ??= setTimeout(flush, FLUSH_AFTER_MS);
    });

    return () => {
      if (timer) clearTimeout(timer);
      if (insightsTimer) clearTimeout(insightsTimer);
      source.close();
    };
  }, [queryClient]);

  return <LiveStatusContext.Provider value={status}>{children}</LiveStatusContext.Provider>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveStatusContext);
}
