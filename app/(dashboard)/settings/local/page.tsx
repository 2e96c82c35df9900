import type { Metadata } from "next";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { LocalSettingsPanel } from "../_components/local-settings-panel";

export const metadata: Metadata = { title: "Settings: RxWatch" };

export default async function LocalSettingsPage() {
  await requirePageViewer("admin");
  return (
    <div className="grid grid-cols-1 gap-6">
      <LocalSettingsPanel />
    </div>
  );
}
