import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";

export const metadata: Metadata = { title: "Events" };

export default async function EventsPage() {
  await requirePageViewer("support");
  return (
    <>
      <PageHeader title="Events">Every webhook delivery RxScale sent: accepted, duplicate and rejected.</PageHeader>
      <EmptyState title="No deliveries received yet">
        <p>
          RxScale delivers to <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">/api/webhooks/rxscale</code> on this server. Each request will be listed here with its
          verification result and what RxWatch did with it.
        </p>
      </EmptyState>
    </>
  );
}
