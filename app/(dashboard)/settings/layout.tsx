import type { ReactNode } from "react";
import { PageHeader } from "@/components/page-header";
import { SettingsNav } from "@/components/settings/settings-nav";
import { requirePageViewer } from "@/server/auth/page-viewer";

/**
 * The role check runs here, above the segment's loading.tsx: inside its
 * Suspense boundary the response is already streaming, so a refusal could no
 * longer be a redirect status, only a client-side one after a 200.
 */
export default async function SettingsLayout({ children }: { children: ReactNode }) {
  await requirePageViewer("admin");
  return (
    <>
      <PageHeader title="Settings">The RxScale connection and subscriptions, signing secrets, RxWatch&apos;s own settings, data protection, and who may sign in.</PageHeader>
      <SettingsNav />
      {children}
    </>
  );
}
