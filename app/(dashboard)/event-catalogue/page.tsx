import type { Metadata } from "next";
import { Suspense } from "react";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { EventCatalogueView } from "./_components/event-catalogue-view";

export const metadata: Metadata = { title: "Event catalogue" };

export default async function EventCataloguePage() {
  await requirePageViewer("support");
  return (
    <>
      <PageHeader title="Event catalogue">Every event type RxScale has sent: its fields and their types, its statuses, volume and last delivery. Learned from what arrives, never from values.</PageHeader>
      <Suspense>
        <EventCatalogueView />
      </Suspense>
    </>
  );
}
