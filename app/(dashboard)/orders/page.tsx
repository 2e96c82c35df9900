import type { Metadata } from "next";
import { Suspense } from "react";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { getSettings } from "@/server/settings/settings";
import { AttentionQueue } from "./_components/attention-queue";
import { OrdersView } from "./_components/orders-view";

export const metadata: Metadata = { title: "Orders" };

export default async function OrdersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageViewer("staff");
  const { denied } = await searchParams;
  const appearance = await getSettings("statusAppearance");
  return (
    <>
      <PageHeader title="Orders">Every RxScale order and where it is in its lifecycle, updated live.</PageHeader>
      {denied ? (
        <div className="mb-4">
          <Alert tone="error">That page needs a higher role. Ask an admin if you need access.</Alert>
        </div>
      ) : null}
      <div className="mb-4">
        <AttentionQueue appearance={appearance} />
      </div>
      <Suspense>
        <OrdersView appearance={appearance} />
      </Suspense>
    </>
  );
}
