import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { UsersPanel } from "./_components/users-panel";
import { ApiTokensPanel } from "./_components/api-tokens-panel";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  await requirePageViewer("admin");
  return (
    <>
      <PageHeader title="Settings">Who may sign in, with which role, and the tokens scripts use.</PageHeader>
      <div className="grid gap-6">
        <UsersPanel />
        <ApiTokensPanel />
      </div>
    </>
  );
}
