import "server-only";
import { createHmac, hkdfSync } from "node:crypto";
import { toRole } from "@/lib/roles";
import { recordAudit } from "@/server/audit/record-audit";
import { afterFailure, lockedUntil, type LockoutPolicy } from "@/server/auth/lockout-policy";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { findUserByEmail, markUserSignedIn } from "@/server/repositories/users";
import { deleteThrottle, findThrottle, replaceThrottle } from "@/server/repositories/sign-in-throttle";
import { secretKey } from "@/server/core/secret-key";

// Around better-auth's email sign-in: the per-email lockout with back-off (in the
// database, so every instance sees one count) and the sign-in audit entries. A typed
// email of no user is audited only as a keyed hash. See docs/data-protection.md#sign-in-and-sessions
// and docs/data-protection.md#audit-log

/** The clock the lockout reads; tests move it instead of waiting. */
export const signInClock = { now: (): Date => new Date() };

/** Longest email the audit log keeps (RFC 5321's limit). */
const MAX_EMAIL_CHARS = 254;
export const UNKNOWN_ACCOUNT_LABEL = "unknown account";
/** The error code better-auth's client sees for a locked email (status 429). */
export const SIGN_IN_LOCKED_CODE = "SIGN_IN_LOCKED";

export function lockoutPolicy(): LockoutPolicy {
  const config = env();
  return {
    threshold: config.RXWATCH_LOCKOUT_THRESHOLD,
    baseSeconds: config.RXWATCH_LOCKOUT_BASE_SECONDS,
    maxSeconds: Math.max(config.RXWATCH_LOCKOUT_MAX_SECONDS, config.RXWATCH_LOCKOUT_BASE_SECONDS),
    windowSeconds: config.RXWATCH_LOCKOUT_WINDOW_SECONDS,
  };
}

let cachedKey: { source: string; key: Buffer } | undefined;

/**
 * A keyed hash of the normalised email: the throttle row's key and the
 * correlation id of unknown-account audit entries. Keyed, so the table does
 * not reveal which addresses were tried.
 */
export function emailKey(email: string): string {
  const source = secretKey();
  if (cachedKey?.source !== source) cachedKey = { source, key: Buffer.from(hkdfSync("sha256", Buffer.from(source, "utf8"), "rxwatch", "rxwatch/sign-in-email/hmac-sha256/v1", 32)) };
  return `ek1:${createHmac("sha256", cachedKey.key).update(normaliseEmail(email), "utf8").digest("base64url")}`;
}

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase().slice(0, MAX_EMAIL_CHARS);
}

/** The audit actor and target for an attempt with this typed email, without storing emails of non-users. */
async function attemptParty(typedEmail: string): Promise<{ actor: { via: "anonymous"; name: string }; target?: { type: string; id: string }; details: Record<string, string> }> {
  const email = normaliseEmail(typedEmail);
  const user = email ? await findUserByEmail(email) : null;
  if (user) return { actor: { via: "anonymous" as const, name: email }, target: { type: "user", id: user.id }, details: {} };
  return { actor: { via: "anonymous" as const, name: UNKNOWN_ACCOUNT_LABEL }, details: { emailKey: emailKey(email).slice(0, 20) } };
}

/** A sentence for a person: when to try again, in minutes and as a UTC time. */
export function lockedMessage(until: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  const time = until.toISOString().slice(11, 16);
  return `Too many failed sign-ins for this email. Try again in ${minutes} minute${minutes === 1 ? "" : "s"} (after ${time} UTC).`;
}

/**
 * Before the password is checked: when the email is locked, audits the
 * refused attempt and returns the time it may try again. The same happens for
 * emails of no account, so the answer reveals nothing about which exist.
 */
export async function refuseIfLocked(typedEmail: string, headers: Headers | undefined): Promise<Date | null> {
  const now = signInClock.now();
  const until = lockedUntil(await findThrottle(emailKey(typedEmail)), now);
  if (!until) return null;
  const party = await attemptParty(typedEmail);
  await recordAudit({ action: "auth.sign_in", outcome: "denied", actor: party.actor, target: party.target, details: { ...party.details, reason: "locked", lockedUntil: until.toISOString() }, headers });
  return until;
}

/** After a successful sign-in: forgets earlier failures and audits it. */
export async function recordSignInSuccess(user: { id: string; name: string; email: string; role?: string | null }, headers: Headers | undefined): Promise<void> {
  await deleteThrottle(emailKey(user.email));
  await markUserSignedIn(user.id, signInClock.now());
  await recordAudit({ action: "auth.sign_in", actor: { via: "session", userId: user.id, name: user.name, email: user.email, role: toRole(user.role) }, headers });
}

/**
 * After a refused sign-in: audits it and, when the password was wrong (or the
 * account unknown), counts it toward the lock — audited once more when it locks.
 * `reason` is better-auth's error code, e.g. INVALID_EMAIL_OR_PASSWORD or BANNED_USER.
 */
export async function recordSignInFailure(typedEmail: string, reason: string, headers: Headers | undefined): Promise<void> {
  const party = await attemptParty(typedEmail);
  await recordAudit({ action: "auth.sign_in", outcome: "failure", actor: party.actor, target: party.target, details: { ...party.details, reason }, headers });
  if (reason !== "INVALID_EMAIL_OR_PASSWORD") return;
  const lock = await countFailure(emailKey(typedEmail));
  if (lock) {
    await recordAudit({ action: "auth.locked_out", outcome: "success", actor: { via: "system", name: "sign-in lockout" }, target: party.target, details: { ...party.details, failures: lock.failures, lockedUntil: lock.until.toISOString() }, headers });
  }
}

const MAX_COUNT_ATTEMPTS = 5;

async function countFailure(key: string): Promise<{ failures: number; until: Date } | null> {
  const policy = lockoutPolicy();
  for (let attempt = 0; attempt < MAX_COUNT_ATTEMPTS; attempt += 1) {
    const current = await findThrottle(key);
    const next = afterFailure(current, signInClock.now(), policy);
    const { isNewLock, ...state } = next;
    if (await replaceThrottle(key, current, state)) return isNewLock && state.lockedUntil ? { failures: state.failures, until: state.lockedUntil } : null;
  }
  log("warn", "sign-in failure not counted: too much contention", {});
  return null;
}

/** Audits a sign-out (before better-auth deletes the session). */
export async function recordSignOut(user: { id: string; name: string; email: string; role?: string | null } | null, headers: Headers | undefined): Promise<void> {
  if (!user) return;
  await recordAudit({ action: "auth.sign_out", actor: { via: "session", userId: user.id, name: user.name, email: user.email, role: toRole(user.role) }, headers });
}
