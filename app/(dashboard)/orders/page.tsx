import type { Metadata } from "next";
import { Alert } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";

export const metadata: Metadata = { title: "Orders" };

export default async function OrdersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageViewer("staff");
  const { denied } = await searchParams;
  return (
    <>
      <PageHeader title="Orders">Every RxScale order and where it is in its lifecycle, updated live.</PageHeader>
      {denied ? (
        <div className="mb-4">
          <Alert tone="error">That page needs a higher role. Ask an admin if you need access.</Alert>
        </div>
      ) : null}
      <EmptyState title="No orders yet">
        <p>Orders appear here as soon as RxScale sends webhooks to this RxWatch: created, prescription approved and signed, sent to a pharmacy, shipped, completed.</p>
        <p>An admin connects RxScale under Settings, or starts RxWatch in demo mode to see realistic traffic.</p>
      </EmptyState>
    </>
  );
}
