import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";

export const metadata: Metadata = { title: "Failures" };

export default async function FailuresPage() {
  await requirePageViewer("support");
  return (
    <>
      <PageHeader title="Failures">Rejected deliveries, processing errors, stuck orders and silence, grouped so causes stand out.</PageHeader>
      <EmptyState title="No failures recorded">
        <p>Signature failures, invalid payloads, processing errors and silent subscriptions will be grouped here, each with its likely cause.</p>
      </EmptyState>
    </>
  );
}
