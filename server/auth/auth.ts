import "server-only";
import { processSingleton } from "@/server/core/process-slot";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { admin } from "better-auth/plugins";
import { APIError, createAuthMiddleware, getSessionFromCtx } from "better-auth/api";
import { env } from "@/server/core/env";
import { CLIENT_ADDRESS_HEADER } from "@/server/core/client-address";
import { currentProvider, db } from "@/server/core/db";
import { log } from "@/server/core/logger";
import { secretKey } from "@/server/core/secret-key";
import { lockedMessage, recordSignInFailure, recordSignInSuccess, recordSignOut, refuseIfLocked, signInClock, SIGN_IN_LOCKED_CODE } from "@/server/auth/sign-in";

/** Where sign-in lives; everything under it is better-auth's. */
export const AUTH_BASE_PATH = "/api/auth";

/**
 * better-auth endpoints RxWatch does not offer. User and role management goes
 * through RxWatch's own API (last-admin guard, audit); there is no self-service
 * sign-up, email change, account deletion, social login or email-based reset.
 * Password changes and session revocation go through RxWatch's API too, so
 * the password policy and the audit log cover them.
 */
export const DISABLED_AUTH_PATHS = [
  "/sign-up/email",
  "/update-user",
  "/change-email",
  "/delete-user",
  "/delete-user/callback",
  "/link-social",
  "/unlink-account",
  "/sign-in/social",
  "/change-password",
  "/set-password",
  "/revoke-session",
  "/revoke-sessions",
  "/revoke-other-sessions",
  "/request-password-reset",
  "/reset-password",
  "/send-verification-email",
  "/verify-email",
  "/admin/ban-user",
  "/admin/create-user",
  "/admin/get-user",
  "/admin/has-permission",
  "/admin/impersonate-user",
  "/admin/list-user-sessions",
  "/admin/list-users",
  "/admin/remove-user",
  "/admin/revoke-user-session",
  "/admin/revoke-user-sessions",
  "/admin/set-role",
  "/admin/set-user-password",
  "/admin/stop-impersonating",
  "/admin/unban-user",
  "/admin/update-user",
];

async function createAuth() {
  const config = env();
  const client = await db();
  const publicUrl = config.RXWATCH_PUBLIC_URL;
  return betterAuth({
    appName: "RxWatch",
    basePath: AUTH_BASE_PATH,
    ...(publicUrl ? { baseURL: publicUrl } : {}),
    secret: secretKey(),
    // better-auth's messages (no base URL, a wrong password) become RxWatch's JSON log lines: one format for
    // operators, stamped with the request id, redacted like every other line. Only an error's message is kept.
    logger: {
      log: (level, message: string, ...args: unknown[]) => {
        const error = args.find((arg): arg is Error => arg instanceof Error);
        log(level, `better-auth: ${message}`, error ? { error: error.message } : {});
      },
    },
    disabledPaths: DISABLED_AUTH_PATHS,
    database: prismaAdapter(client, { provider: currentProvider() }),
    // Public sign-up is off: admins create users (UI or CLI).
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: config.RXWATCH_MIN_PASSWORD_LENGTH,
      maxPasswordLength: 128,
      revokeSessionsOnPasswordReset: true,
    },
    session: {
      // Sliding idle expiry: a request more than `updateAge` after the last
      // refresh pushes the end out to `expiresIn` from now again. The absolute
      // limit (RXWATCH_SESSION_MAX_HOURS) is checked in viewer.ts.
      expiresIn: Math.round(config.RXWATCH_SESSION_TTL_HOURS * 3600),
      updateAge: Math.min(3600, Math.round((config.RXWATCH_SESSION_TTL_HOURS * 3600) / 4)),
      // Sessions are looked up in the database on every request so that
      // disabling a user or signing out elsewhere takes effect at once.
      cookieCache: { enabled: false },
    },
    // Same-origin requests are trusted; RXWATCH_PUBLIC_URL and the extra list too.
    trustedOrigins: async (request) => {
      const origins = [...config.RXWATCH_TRUSTED_ORIGINS];
      if (publicUrl) origins.push(new URL(publicUrl).origin);
      const host = request?.headers.get("host");
      if (host) origins.push(`http://${host}`, `https://${host}`);
      return origins;
    },
    rateLimit: {
      enabled: true,
      storage: "database",
      modelName: "rateLimit",
      window: 60,
      max: 100,
      customRules: {
        "/sign-in/email": { window: config.RXWATCH_LOGIN_WINDOW_SECONDS, max: config.RXWATCH_LOGIN_MAX_ATTEMPTS },
      },
    },
    advanced: {
      useSecureCookies: publicUrl?.startsWith("https://") ?? false,
      cookiePrefix: "rxwatch",
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
      database: { generateId: () => crypto.randomUUID() },
      // Set by the auth route from server/core/client-address.ts: never a header the client chose.
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === "/sign-in/email") {
          const email: unknown = ctx.body?.email;
          const until = typeof email === "string" ? await refuseIfLocked(email, ctx.headers) : null;
          if (until) throw new APIError("TOO_MANY_REQUESTS", { code: SIGN_IN_LOCKED_CODE, message: lockedMessage(until, signInClock.now()) });
        }
        if (ctx.path === "/sign-out") {
          const session = await getSessionFromCtx(ctx);
          await recordSignOut(session?.user ?? null, ctx.headers);
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email: unknown = ctx.body?.email;
        const signedIn = ctx.context.newSession;
        if (signedIn && !(ctx.context.returned instanceof APIError)) {
          await recordSignInSuccess(signedIn.user, ctx.headers);
        } else if (typeof email === "string") {
          const returned = ctx.context.returned;
          await recordSignInFailure(email, returned instanceof APIError ? String(returned.body?.code ?? returned.status) : "unknown", ctx.headers);
        }
      }),
    },
    plugins: [admin({ defaultRole: "staff", adminRoles: ["admin"] })],
    telemetry: { enabled: false },
  });
}

export type Auth = Awaited<ReturnType<typeof createAuth>>;


/** The process's better-auth instance, created on first use. */
export function auth(): Promise<Auth> {
  return processSingleton<Promise<Auth>>("rxwatchAuth", () => createAuth());
}
