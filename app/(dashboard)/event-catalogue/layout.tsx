import type { ReactNode } from "react";
import { requirePageViewer } from "@/server/auth/page-viewer";

/** The role check runs above the segment's loading.tsx, so a refusal is still a redirect (see failures/layout.tsx). */
export default async function EventCatalogueLayout({ children }: { children: ReactNode }) {
  await requirePageViewer("support");
  return children;
}
