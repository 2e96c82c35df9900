import type { Metadata } from "next";
import { Suspense } from "react";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { InsightsView } from "./_components/insights-view";

export const metadata: Metadata = { title: "Insights" };

export default async function InsightsPage() {
  await requirePageViewer("staff");
  return (
    <>
      <PageHeader title="Insights">How orders move: volume, time in each stage, pharmacies, where orders drop off and get stuck. Counts only, updated live.</PageHeader>
      <Suspense>
        <InsightsView />
      </Suspense>
    </>
  );
}
