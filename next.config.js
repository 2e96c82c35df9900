// @ts-check
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "./lib/static-security-headers.js";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM-heavy server dependencies are loaded by Node at run time
  // instead of being bundled: better-sqlite3 is a native addon, pg has optional
  // native bindings, and Prisma's generated clients load their query compiler.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg"],
  poweredByHeader: false,
  typedRoutes: false,
  // Static security headers on every response; pages get their nonce-based
  // policy (and HSTS on HTTPS) from proxy.ts, so only API responses get a
  // policy here — two policies on one page would both be enforced.
  async headers() {
    return [
      { source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] },
      {
        source: "/api/:path*",
        headers: [
          { key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY },
          // Answers carry operational and (for support) health data: never stored by a browser or a shared cache.
          { key: "Cache-Control", value: "no-store" },
        ],
      },
    ];
  },
  // The page listing deliveries was called /events; bookmarks and links in
  // old alerts keep working (Next.js carries the query string over).
  async redirects() {
    return [{ source: "/events", destination: "/deliveries", permanent: true }];
  },
};

export default nextConfig;
