import type { Metadata } from "next";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { ConnectionPanel } from "../_components/connection-panel";
import { SubscriptionsPanel } from "../_components/subscriptions-panel";

export const metadata: Metadata = { title: "Settings: RxScale" };

export default async function RxScaleSettingsPage() {
  await requirePageViewer("admin");
  return (
    <div className="grid grid-cols-1 gap-6">
      <ConnectionPanel />
      <SubscriptionsPanel />
    </div>
  );
}
