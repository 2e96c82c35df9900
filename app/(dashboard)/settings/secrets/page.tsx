import type { Metadata } from "next";
import { requirePageViewer } from "@/server/auth/page-viewer";
import { SigningSecretsPanel } from "../_components/signing-secrets-panel";

export const metadata: Metadata = { title: "Settings: Signing secrets" };

export default async function SigningSecretsSettingsPage() {
  await requirePageViewer("admin");
  return (
    <div className="grid grid-cols-1 gap-6">
      <SigningSecretsPanel />
    </div>
  );
}
