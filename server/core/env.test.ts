import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_METRICS_ALLOW, envSchema, parseEnv } from "./env";

describe("parseEnv", () => {
  it("defaults to the embedded SQLite database", () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBe("file:./data/rxwatch.db");
    expect(env.RXWATCH_SESSION_TTL_HOURS).toBe(12);
    expect(env.RXWATCH_TRUSTED_ORIGINS).toEqual([]);
  });

  it("accepts PostgreSQL URLs and splits origin lists", () => {
    const env = parseEnv({ DATABASE_URL: "postgresql://u@h/db", RXWATCH_TRUSTED_ORIGINS: "https://a.example, https://b.example" });
    expect(env.DATABASE_URL).toBe("postgresql://u@h/db");
    expect(env.RXWATCH_TRUSTED_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
  });

  it("lists every invalid variable in one message", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x", RXWATCH_SECRET_KEY: "short" })).toThrow(/DATABASE_URL[\s\S]*RXWATCH_SECRET_KEY/);
  });

  it("requires a password when a first admin email is given", () => {
    expect(() => parseEnv({ RXWATCH_ADMIN_EMAIL: "a@example.com" })).toThrow(/RXWATCH_ADMIN_PASSWORD/);
  });
});

describe("operations variables", () => {
  it("allows loopback to read metrics by default, nothing when set empty, and refuses a malformed network", () => {
    expect(parseEnv({}).RXWATCH_METRICS_ALLOW).toEqual(DEFAULT_METRICS_ALLOW);
    expect(parseEnv({ RXWATCH_METRICS_ALLOW: "" }).RXWATCH_METRICS_ALLOW).toEqual([]);
    expect(parseEnv({ RXWATCH_METRICS_ALLOW: "10.0.0.0/8, fd00::/8" }).RXWATCH_METRICS_ALLOW).toEqual(["10.0.0.0/8", "fd00::/8"]);
    expect(() => parseEnv({ RXWATCH_METRICS_ALLOW: "10.0.0.0/33" })).toThrow(/RXWATCH_METRICS_ALLOW/);
    expect(() => parseEnv({ RXWATCH_METRICS_TOKEN: "short" })).toThrow(/RXWATCH_METRICS_TOKEN/);
    expect(parseEnv({}).RXWATCH_SHUTDOWN_TIMEOUT_MS).toBe(10_000);
  });
});

describe("deployment files", () => {
  const root = path.resolve(import.meta.dirname, "../..");
  const known = new Set(Object.keys(envSchema.shape));
  /** Read by the C library, the Node.js runtime or Next.js for themselves, not by RxWatch. */
  const PLATFORM = new Set(["NEXT_TELEMETRY_DISABLED", "MALLOC_ARENA_MAX"]);

  function composeAppVariables(): string[] {
    const text = readFileSync(path.join(root, "compose.yaml"), "utf8");
    const block = /^x-rxwatch-environment: &rxwatch-environment\n((?: {2}.*\n|\n)+)/m.exec(text)?.[1] ?? "";
    return [...block.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1] ?? "");
  }

  function dockerfileVariables(): string[] {
    const text = readFileSync(path.join(root, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
    return [...text.matchAll(/^ENV (.*)$/gm)].flatMap((match) => [...(match[1] ?? "").matchAll(/([A-Z][A-Z0-9_]*)=/g)].map((name) => name[1] ?? ""));
  }

  it("compose.yaml sets only variables server/core/env.ts knows", () => {
    const variables = composeAppVariables();
    expect(variables).toEqual(expect.arrayContaining(["DATABASE_URL", "RXWATCH_SECRET_KEY", "RXWATCH_PUBLIC_URL", "RXSCALE_SIGNING_SECRETS", "RXWATCH_METRICS_TOKEN"]));
    expect(variables.filter((name) => !known.has(name))).toEqual([]);
  });

  it("the Dockerfile and .env.example name only variables server/core/env.ts knows", () => {
    const dockerfile = dockerfileVariables();
    expect(dockerfile).toContain("NEXT_MANUAL_SIG_HANDLE");
    expect(dockerfile.filter((name) => !known.has(name) && !PLATFORM.has(name))).toEqual([]);
    const example = [...readFileSync(path.join(root, ".env.example"), "utf8").matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1] ?? "");
    expect(example.length).toBeGreaterThan(10);
    expect(example.filter((name) => !known.has(name))).toEqual([]);
  });
});
