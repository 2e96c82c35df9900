import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

/*
 * Dependency direction, as ARCHITECTURE.md draws it. Each layer may import the
 * ones below it and never the ones above:
 *   lib  <  server/core  <  server/crypto  <  server/repositories  <  server domains  <  server/http, server/startup
 * `components/` never reaches `server/`; nothing imports from `app/`.
 * Server code is kept out of the browser bundle by these rules and by `import "server-only"`.
 */
const SERVER_IMPORTS = { group: ["@/server", "@/server/*", "**/server/*"], message: "components/ and lib/ must not import server/ (server-only code would reach the browser)." };
const APP_IMPORTS = { group: ["@/app", "@/app/*"], message: "Nothing imports from app/." };
const ENTRY_IMPORTS = { group: ["@/server/http/*", "@/server/startup/*"], message: "server/http and server/startup compose the domains for Next's entry points; nothing in server/ below them imports them." };
const DOMAIN_IMPORTS = {
  group: ["@/server/*", "!@/server/core", "!@/server/core/*", "!@/server/crypto", "!@/server/crypto/*", "!@/server/repositories", "!@/server/repositories/*"],
  message: "server/repositories import only server/core, server/crypto, lib and the generated client (ARCHITECTURE.md).",
};
const ABOVE_CRYPTO = {
  group: ["@/server/*", "!@/server/core", "!@/server/core/*", "!@/server/crypto", "!@/server/crypto/*"],
  message: "server/crypto imports only server/core and lib (ARCHITECTURE.md).",
};
const ABOVE_CORE = { group: ["@/server/*", "!@/server/core", "!@/server/core/*"], message: "server/core imports nothing of ours but lib (ARCHITECTURE.md)." };
const PROVIDER_CLIENT = { group: ["@/prisma/generated/*"], message: "Reach the Prisma client and its namespace through server/core/db, so no module names a provider." };
const RELATIVE = { group: ["./*", "../*"], message: "Import by the @/ path, so a moved file's imports are found by search." };

const restrict = (...patterns) => ["error", { patterns: [APP_IMPORTS, ...patterns] }];

const config = [
  { ignores: [".next/**", "node_modules/**", "prisma/generated/**", "test-results/**", "playwright-report/**", "tests/artifacts/**", "next-env.d.ts"] },
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": restrict(),
    },
  },
  {
    // The emulator stands in for RxScale: it is a separate program and knows nothing of RxWatch's server.
    files: ["components/**", "lib/**", "emulator/**"],
    rules: { "no-restricted-imports": restrict(SERVER_IMPORTS) },
  },
  {
    files: ["lib/**"],
    rules: { "no-restricted-imports": restrict(SERVER_IMPORTS, { group: ["@/components", "@/components/*", "@/emulator/*"], message: "lib/ imports nothing of ours." }) },
  },
  { files: ["server/**"], ignores: ["server/**/*.test.ts"], rules: { "no-restricted-imports": restrict(ENTRY_IMPORTS, PROVIDER_CLIENT, RELATIVE), "import/no-cycle": ["error", { ignoreExternal: true }] } },
  { files: ["server/http/**", "server/startup/**"], ignores: ["server/**/*.test.ts"], rules: { "no-restricted-imports": restrict(PROVIDER_CLIENT, RELATIVE) } },
  { files: ["server/repositories/**"], ignores: ["server/**/*.test.ts"], rules: { "no-restricted-imports": restrict(DOMAIN_IMPORTS, PROVIDER_CLIENT, RELATIVE) } },
  { files: ["server/crypto/**"], ignores: ["server/**/*.test.ts"], rules: { "no-restricted-imports": restrict(ABOVE_CRYPTO, PROVIDER_CLIENT, RELATIVE) } },
  { files: ["server/core/**"], ignores: ["server/**/*.test.ts"], rules: { "no-restricted-imports": restrict(ABOVE_CORE, RELATIVE) } },
  {
    // Integration tests exercise the real route handlers.
    files: ["tests/**"],
    rules: { "no-restricted-imports": "off" },
  },
];

export default config;
