import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

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
