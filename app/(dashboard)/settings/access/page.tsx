import type { Metadata } from "next";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { UsersPanel } from "../_components/users-panel";
import { ApiTokensPanel } from "../_components/api-tokens-panel";

export const metadata: Metadata = { title: "Settings: Users and tokens" };

export default async function AccessSettingsPage() {
  await requirePageViewer("admin");
  return (
    <div className="grid grid-cols-1 gap-6">
      <UsersPanel />
      <ApiTokensPanel />
    </div>
  );
}
