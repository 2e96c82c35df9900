import "server-only";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import type { CompletePasswordResetRequest, PasswordResetLinkDto } from "@/lib/accounts";
import { recordAudit } from "@/server/audit/record-audit";
import { emailKey } from "@/server/auth/sign-in";
import { passwordProblem, SERVER_CHANGE, type ChangeContext } from "@/server/auth/users";
import { AppError } from "@/server/core/errors";
import { deleteThrottle } from "@/server/repositories/sign-in-throttle";
import { findPasswordResetByHash, findUserById, replacePasswordResetRow, replacePasswordWithResetLink } from "@/server/repositories/users";

// An admin resets a password by handing the person a one-time link rather than
// a password: the admin never learns the new password, and the link works once.
// See docs/data-protection.md#sign-in-and-sessions

/** How long a reset link works. Long enough to reach someone by chat, short enough that a stale link is useless. */
export const PASSWORD_RESET_LINK_TTL_MS = 24 * 60 * 60 * 1000;
export const PASSWORD_RESET_PATH = "/reset-password";
const INVALID_LINK_MESSAGE = "This reset link is not valid: it was used already, replaced by a newer one, or has expired. Ask an admin for a new one.";

/** Tokens are 32 random bytes, so a plain SHA-256 is enough to store them (as for API tokens). */
function hashResetToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Makes a one-time link that lets the user choose a new password; an earlier link of theirs stops working. */
export async function createPasswordResetLink(userId: string, context: ChangeContext = SERVER_CHANGE): Promise<PasswordResetLinkDto> {
  const user = await findUserById(userId);
  if (!user) throw new AppError("not_found", "No such user.");
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + PASSWORD_RESET_LINK_TTL_MS);
  await replacePasswordResetRow({ id: randomUUID(), userId, tokenHash: hashResetToken(token), expiresAt });
  await recordAudit({ action: "user.password_reset_link", actor: context.actor, target: { type: "user", id: userId }, details: { email: user.email, expiresAt: expiresAt.toISOString() }, headers: context.headers });
  return { path: `${PASSWORD_RESET_PATH}#${token}`, expiresAt: expiresAt.toISOString() };
}

/**
 * Sets the password chosen through a reset link: the link is used up, every
 * session of the user ends and earlier failed sign-ins are forgotten. A
 * wrong, used or expired link is a 400 that says what to do.
 */
export async function completePasswordReset(request: CompletePasswordResetRequest, headers?: Headers): Promise<void> {
  const tokenHash = hashResetToken(request.token);
  const reset = await findPasswordResetByHash(tokenHash);
  const user = reset && reset.expiresAt > new Date() ? await findUserById(reset.userId) : null;
  if (!reset || !user) throw new AppError("invalid_request", INVALID_LINK_MESSAGE);
  const problem = passwordProblem(request.password, user.email);
  if (problem) throw new AppError("invalid_request", problem);
  const { isReplaced, sessions } = await replacePasswordWithResetLink(user.id, tokenHash, await hashPassword(request.password));
  if (!isReplaced) throw new AppError("invalid_request", INVALID_LINK_MESSAGE);
  await deleteThrottle(emailKey(user.email));
  await recordAudit({ action: "user.password_reset", actor: { via: "anonymous", name: user.email }, target: { type: "user", id: user.id }, details: { sessionsRevoked: sessions }, headers });
}
