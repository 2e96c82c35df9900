import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { getSettings } from "@/server/settings/settings";
import { hasRole } from "@/lib/roles";
import { OrderTraceView } from "./_components/order-trace-view";

// The title names no order: uids could be read as identifying in browser history and screenshots.
export const metadata: Metadata = { title: "Order trace" };

export default async function OrderTracePage({ params }: { params: Promise<{ uid: string }> }) {
  const viewer = await requirePageViewer("staff");
  const { uid } = await params;
  const appearance = await getSettings("statusAppearance");
  return (
    <>
      <PageHeader title="Order trace">The order&apos;s lifecycle as RxWatch received it, step by step.</PageHeader>
      <OrderTraceView orderUid={uid} appearance={appearance} canSeeDeliveries={hasRole(viewer.role, "support")} canCheckAgainstRxScale={hasRole(viewer.role, "support")} />
    </>
  );
}
