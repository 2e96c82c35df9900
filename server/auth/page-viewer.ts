import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { hasRole, type Role } from "@/lib/roles";
import { findViewer, type Viewer } from "@/server/auth/viewer";

/**
 * For server-rendered pages: the signed-in viewer, else a redirect to sign-in.
 * A viewer without `minimumRole` is sent back to the orders page, which every
 * role may open.
 */
export async function requirePageViewer(minimumRole: Role = "staff"): Promise<Viewer> {
  const viewer = await findViewer(await headers());
  if (!viewer) redirect("/sign-in");
  if (!hasRole(viewer.role, minimumRole)) redirect("/orders?denied=1");
  return viewer;
}

export async function findPageViewer(): Promise<Viewer | null> {
  return findViewer(await headers());
}
