import type { ReactNode } from "react";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { DELIVERY_VIEWER_ROLE } from "@/server/deliveries/reveal";

/**
 * The role check runs here, above the segment's loading.tsx: inside its
 * Suspense boundary the response is already streaming, so a refusal could no
 * longer be a redirect status, only a client-side one after a 200.
 */
export default async function DeliveriesLayout({ children }: { children: ReactNode }) {
  await requirePageViewer(DELIVERY_VIEWER_ROLE);
  return children;
}
