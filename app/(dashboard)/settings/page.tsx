import type { Metadata } from "next";
import Link from "next/link";
import { SettingsAnchorForward } from "@/components/settings/settings-anchor-forward";
import { SETTINGS_SECTIONS } from "@/lib/settings-sections";
import { requirePageViewer } from "@/server/auth/page-viewer";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  await requirePageViewer("admin");
  return (
    <>
      <SettingsAnchorForward />
      <ul className="grid gap-3 sm:grid-cols-2">
        {SETTINGS_SECTIONS.map((section) => (
          <li key={section.slug}>
            <Link href={`/settings/${section.slug}`} className="block h-full rounded-lg border border-slate-200 bg-white p-4 hover:border-slate-400 dark:border-slate-800 dark:bg-slate-900 dark:hover:border-slate-600">
              <span className="font-semibold">{section.label}</span>
              <span className="mt-1 block text-sm text-slate-600 dark:text-slate-400">{section.description}</span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
