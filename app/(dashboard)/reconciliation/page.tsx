import type { Metadata } from "next";
import { Suspense } from "react";
import { hasRole } from "@/lib/roles";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { ReconciliationView } from "./_components/reconciliation-view";

export const metadata: Metadata = { title: "Reconciliation" };

export default async function ReconciliationPage() {
  const viewer = await requirePageViewer("support");
  return (
    <>
      <PageHeader title="Reconciliation">RxWatch compared with RxScale&apos;s orders API: what webhooks missed, and why.</PageHeader>
      <Suspense>
        <ReconciliationView isAdmin={hasRole(viewer.role, "admin")} />
      </Suspense>
    </>
  );
}
