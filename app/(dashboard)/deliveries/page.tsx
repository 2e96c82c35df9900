import type { Metadata } from "next";
import { Suspense } from "react";
import { hasRole } from "@/lib/roles";
import { DEFAULT_KNOWN_EVENT_TYPES } from "@/lib/rxscale/event-catalogue";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { DELIVERY_VIEWER_ROLE, UNMASKED_EXPORT_ROLE } from "@/server/deliveries/reveal";
import { getSettings } from "@/server/settings/settings";
import { DeliveriesView } from "./_components/deliveries-view";

export const metadata: Metadata = { title: "Deliveries" };

export default async function DeliveriesPage() {
  const viewer = await requirePageViewer(DELIVERY_VIEWER_ROLE);
  const eventNames = await getSettings("eventNames");
  // Suggestions for the type filter; any type typed in is still searched.
  const eventTypes = [...new Set([...DEFAULT_KNOWN_EVENT_TYPES, ...Object.values(eventNames)])].sort();
  return (
    <>
      <PageHeader title="Deliveries">Every webhook delivery RxScale sent — accepted, duplicate and rejected — newest first, as it arrives.</PageHeader>
      <Suspense>
        <DeliveriesView eventTypes={eventTypes} canExportUnmasked={hasRole(viewer.role, UNMASKED_EXPORT_ROLE)} />
      </Suspense>
    </>
  );
}
