import type { Metadata } from "next";
import { Suspense } from "react";
import { PageHeader } from "@/components/page-header";
import { AUDIT_ACTIONS } from "@/server/audit/record-audit";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { AuditView } from "./_components/audit-view";

export const metadata: Metadata = { title: "Audit" };

export default async function AuditPage() {
  await requirePageViewer("admin");
  return (
    <>
      <PageHeader title="Audit">Sign-ins, reveals, exports, replays and every change to settings, subscriptions, users and tokens: who, when, what and from where. Entries are never changed.</PageHeader>
      <Suspense>
        <AuditView actions={[...AUDIT_ACTIONS].sort()} />
      </Suspense>
    </>
  );
}
