import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

/**
 * Dependency direction (ARCHITECTURE.md): `lib/` is universal and imports
 * nothing of ours; `components/` never reaches `server/`. Server code is kept
 * out of the browser bundle by this rule and by `import "server-only"`.
 */
const SERVER_IMPORTS = { group: ["@/server", "@/server/*", "**/server/*"], message: "components/ and lib/ must not import server/ (server-only code would reach the browser)." };
const APP_IMPORTS = { group: ["@/app", "@/app/*"], message: "Nothing imports from app/." };

const config = [
  { ignores: [".next/**", "node_modules/**", "prisma/generated/**", "test-results/**", "playwright-report/**", "tests/artifacts/**", "next-env.d.ts"] },
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": ["error", { patterns: [APP_IMPORTS] }],
    },
  },
  {
    // The emulator stands in for RxScale: it is a separate program and knows nothing of RxWatch's server.
    files: ["components/**", "lib/**", "emulator/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [SERVER_IMPORTS, APP_IMPORTS] }] },
  },
  {
    files: ["lib/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [SERVER_IMPORTS, APP_IMPORTS, { group: ["@/components", "@/components/*", "@/emulator/*"], message: "lib/ imports nothing of ours." }] },
      ],
    },
  },
  {
    // Integration tests exercise the real route handlers.
    files: ["tests/**"],
    rules: { "no-restricted-imports": "off" },
  },
];

export default config;
