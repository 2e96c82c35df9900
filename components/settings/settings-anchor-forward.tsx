"use client";

import { useEffect } from "react";
import { useRouter } from "next/navigation";
import { settingsPathForAnchor } from "@/lib/settings-sections";

/**
 * Links from before Settings had sub-pages (`/settings#access`) carry their
 * target in the fragment, which never reaches the server; this forwards them
 * from the browser.
 */
export function SettingsAnchorForward() {
  const router = useRouter();
  useEffect(() => {
    const target = settingsPathForAnchor(window.location.hash);
    if (target) router.replace(target);
  }, [router]);
  return null;
}
