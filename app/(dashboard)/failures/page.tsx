import type { Metadata } from "next";
import { Suspense } from "react";
import { hasRole } from "@/lib/roles";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { FailuresView } from "./_components/failures-view";

export const metadata: Metadata = { title: "Failures" };

export default async function FailuresPage() {
  const viewer = await requirePageViewer("support");
  return (
    <>
      <PageHeader title="Failures">Rejected deliveries, processing errors, stuck orders and silence, grouped so causes stand out.</PageHeader>
      <Suspense>
        <FailuresView isAdmin={hasRole(viewer.role, "admin")} />
      </Suspense>
    </>
  );
}
