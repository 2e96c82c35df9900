/**
 * The Settings sub-pages, in navigation order. `anchor` is the id the section
 * had when Settings was one long page, so old `/settings#anchor` links still
 * land on the right sub-page.
 */
export const SETTINGS_SECTIONS = [
  { slug: "rxscale", anchor: "rxscale", label: "RxScale", description: "The RxScale connection and the webhook subscriptions that send events here." },
  { slug: "secrets", anchor: "secrets", label: "Signing secrets", description: "The secrets deliveries are signed with, their rotation and retirement." },
  { slug: "local", anchor: "local", label: "RxWatch", description: "Event names, status colours and the thresholds after which an order counts as stuck." },
  { slug: "data-protection", anchor: "data-protection", label: "Data protection", description: "Retention periods, purge runs and forgetting a patient." },
  { slug: "access", anchor: "access", label: "Users and tokens", description: "Who may sign in, their roles, password resets, and API tokens for scripts." },
] as const;

export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

/** The sub-page an old single-page anchor (`#access`) now lives on, or null for an unknown anchor. */
export function settingsPathForAnchor(hash: string): string | null {
  const anchor = hash.replace(/^#/, "");
  const section = SETTINGS_SECTIONS.find((candidate) => candidate.anchor === anchor);
  return section ? `/settings/${section.slug}` : null;
}
