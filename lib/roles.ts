import { z } from "zod";

/**
 * RxWatch's roles, least to most privileged. Each role can do everything the
 * roles before it can:
 * - `staff` watches orders and their progress;
 * - `support` also reads raw deliveries, failures and one-order traces;
 * - `admin` also manages settings, users and API tokens.
 */
export const ROLES = ["staff", "support", "admin"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** True when `role` carries at least the privileges of `required`. */
export function hasRole(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** Parses a stored role; anything unknown gets the least privilege rather than an error. */
export function toRole(value: unknown): Role {
  const parsed = roleSchema.safeParse(value);
  return parsed.success ? parsed.data : "staff";
}

export interface NavigationItem {
  href: string;
  label: string;
  minimumRole: Role;
}

/** The signed-in shell's navigation; each entry is shown only to roles that may open it. */
export const NAVIGATION: readonly NavigationItem[] = [
  { href: "/orders", label: "Orders", minimumRole: "staff" },
  { href: "/insights", label: "Insights", minimumRole: "staff" },
  { href: "/failures", label: "Failures", minimumRole: "support" },
  { href: "/deliveries", label: "Deliveries", minimumRole: "support" },
  { href: "/reconciliation", label: "Reconciliation", minimumRole: "support" },
  { href: "/event-catalogue", label: "Event catalogue", minimumRole: "support" },
  { href: "/settings", label: "Settings", minimumRole: "admin" },
  { href: "/audit", label: "Audit", minimumRole: "admin" },
];

export function navigationFor(role: Role): NavigationItem[] {
  return NAVIGATION.filter((item) => hasRole(role, item.minimumRole));
}
