import "server-only";
import { hasRole, toRole, type Role } from "@/lib/roles";
import type { Viewer, ViewerDto } from "@/lib/accounts";
import { AppError } from "@/server/core/errors";
import { auth } from "@/server/auth/auth";
import { authenticateApiToken } from "@/server/auth/tokens";
import { env } from "@/server/core/env";

export type { Viewer };

function bearerToken(headers: Headers): string | null {
  const header = headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/**
 * Resolves the viewer from a bearer token, else from the session cookie.
 * Returns null for anonymous requests, disabled users, bad tokens and
 * sessions past RXWATCH_SESSION_MAX_HOURS since sign-in.
 */
export async function findViewer(headers: Headers): Promise<Viewer | null> {
  const token = bearerToken(headers);
  if (token) {
    const found = await authenticateApiToken(token);
    return found ? { via: "token", tokenId: found.id, name: found.name, role: found.role } : null;
  }
  const session = await (await auth()).api.getSession({ headers });
  if (!session || session.user.banned) return null;
  // Activity slides a session forward; this caps how long one sign-in lasts however active it is.
  if (Date.now() - new Date(session.session.createdAt).getTime() > env().RXWATCH_SESSION_MAX_HOURS * 3_600_000) return null;
  return { via: "session", userId: session.user.id, sessionId: session.session.id, name: session.user.name, email: session.user.email, role: toRole(session.user.role) };
}

/** The viewer, or AppError `unauthenticated`/`forbidden` when they lack `minimumRole`. */
export async function requireViewer(headers: Headers, minimumRole: Role): Promise<Viewer> {
  const viewer = await findViewer(headers);
  if (!viewer) throw new AppError("unauthenticated", "Sign in or send a valid API token.");
  if (!hasRole(viewer.role, minimumRole)) throw new AppError("forbidden", `This needs the ${minimumRole} role.`);
  return viewer;
}

export function toViewerDto(viewer: Viewer): ViewerDto {
  return { name: viewer.name, email: viewer.via === "session" ? viewer.email : null, role: viewer.role, via: viewer.via };
}
