"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { SETTINGS_SECTIONS } from "@/lib/settings-sections";

/** The Settings sub-pages as tabs; they wrap onto more lines on a phone instead of scrolling sideways. */
export function SettingsNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings sections" className="mb-6 flex flex-wrap gap-2 text-sm">
      {SETTINGS_SECTIONS.map((section) => {
        const href = `/settings/${section.slug}`;
        const isCurrent = pathname === href;
        return (
          <Link
            key={section.slug}
            href={href}
            aria-current={isCurrent ? "page" : undefined}
            className={`rounded-md border px-3 py-1.5 ${isCurrent ? "border-slate-900 bg-slate-900 text-white dark:border-slate-100 dark:bg-slate-100 dark:text-slate-900" : "border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"}`}
          >
            {section.label}
          </Link>
        );
      })}
    </nav>
  );
}
