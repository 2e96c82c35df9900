// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM-heavy server dependencies are loaded by Node at run time
  // instead of being bundled: better-sqlite3 is a native addon, pg has optional
  // native bindings, and Prisma's generated clients load their query compiler.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
