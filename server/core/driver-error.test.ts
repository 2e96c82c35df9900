import { describe, expect, it } from "vitest";
import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import { driverErrorCause } from "./driver-error";

describe("driverErrorCause", () => {
  it("names SQLite's code for a full disk, without the message", () => {
    const error = new DriverAdapterError({ kind: "sqlite", extendedCode: 13, message: "database or disk is full", originalCode: "SQLITE_FULL", originalMessage: "database or disk is full" } as never);
    expect(driverErrorCause(error)).toBe("sqlite SQLITE_FULL");
  });

  it("names PostgreSQL's SQLSTATE and connection failures by kind", () => {
    expect(driverErrorCause(new DriverAdapterError({ kind: "postgres", code: "57P01", severity: "FATAL", message: "terminating connection due to administrator command" } as never))).toBe("postgres 57P01");
    expect(driverErrorCause(new DriverAdapterError({ kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 } as never))).toBe("DatabaseNotReachable");
  });

  it("finds an adapter error wrapped as another error's cause", () => {
    const inner = new DriverAdapterError({ kind: "ConnectionClosed" } as never);
    expect(driverErrorCause(new Error("wrapped", { cause: inner }))).toBe("ConnectionClosed");
  });

  it("names the code of an error straight from better-sqlite3 or pg, without the message", () => {
    const sqlite = Object.assign(new Error("database or disk is full"), { name: "SqliteError", code: "SQLITE_FULL" });
    expect(driverErrorCause(sqlite)).toBe("sqlite SQLITE_FULL");
    const postgres = Object.assign(new Error("terminating connection due to administrator command"), { name: "error", code: "57P01", severity: "FATAL" });
    expect(driverErrorCause(new Error("wrapped", { cause: postgres }))).toBe("postgres 57P01");
    expect(driverErrorCause(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBeUndefined();
  });

  it("is undefined for other errors and never passes on a long or odd code", () => {
    expect(driverErrorCause(new TypeError("x"))).toBeUndefined();
    expect(driverErrorCause("text")).toBeUndefined();
    expect(driverErrorCause(new DriverAdapterError({ kind: "postgres", code: "value 'Jane Doe' broke it", message: "" } as never))).toBe("postgres");
  });
});
