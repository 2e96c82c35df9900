import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { UsersPanel } from "./_components/users-panel";
import { ApiTokensPanel } from "./_components/api-tokens-panel";
import { ConnectionPanel } from "./_components/connection-panel";
import { SubscriptionsPanel } from "./_components/subscriptions-panel";
import { SigningSecretsPanel } from "./_components/signing-secrets-panel";
import { LocalSettingsPanel } from "./_components/local-settings-panel";
import { DataProtectionPanel } from "./_components/data-protection-panel";

export const metadata: Metadata = { title: "Settings" };

const SECTIONS = [
  { id: "rxscale", label: "RxScale" },
  { id: "secrets", label: "Signing secrets" },
  { id: "local", label: "RxWatch" },
  { id: "data-protection", label: "Data protection" },
  { id: "access", label: "Users and tokens" },
] as const;

export default async function SettingsPage() {
  await requirePageViewer("admin");
  return (
    <>
      <PageHeader title="Settings">The RxScale connection and subscriptions, signing secrets, RxWatch&apos;s own settings, data protection, and who may sign in.</PageHeader>
      <nav aria-label="Settings sections" className="mb-6 flex flex-wrap gap-2 text-sm">
        {SECTIONS.map((section) => (
          <a key={section.id} href={`#${section.id}`} className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
            {section.label}
          </a>
        ))}
      </nav>
      <div className="grid gap-6">
        <section id="rxscale" className="grid gap-6">
          <ConnectionPanel />
          <SubscriptionsPanel />
        </section>
        <section id="secrets">
          <SigningSecretsPanel />
        </section>
        <section id="local">
          <LocalSettingsPanel />
        </section>
        <section id="data-protection">
          <DataProtectionPanel />
        </section>
        <section id="access" className="grid gap-6">
          <UsersPanel />
          <ApiTokensPanel />
        </section>
      </div>
    </>
  );
}
