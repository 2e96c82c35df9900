import type { Metadata } from "next";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { DataProtectionPanel } from "../_components/data-protection-panel";

export const metadata: Metadata = { title: "Settings: Data protection" };

export default async function DataProtectionSettingsPage() {
  await requirePageViewer("admin");
  return (
    <div className="grid grid-cols-1 gap-6">
      <DataProtectionPanel />
    </div>
  );
}
