import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "@/server/core/errors";
import { describeRunError, invalidPayloadError, ProcessingError, summarizeError } from "./errors";

const SECRET_VALUE = "Erika Mustermann, 1970-01-01";

describe("run error descriptions", () => {
  it("keeps only the class and code of an unexpected error, never its message", () => {
    const error = Object.assign(new SyntaxError(`Unexpected token in "${SECRET_VALUE}"`), { code: "E_PARSE" });
    const { message, isPermanent } = describeRunError(error);
    expect(message).toBe("unexpected_error: SyntaxError (E_PARSE) thrown by the handler; see the server log for where");
    expect(isPermanent).toBe(false);
  });

  it("ignores a code that is not a short identifier, since it could carry a value too", () => {
    expect(summarizeError(Object.assign(new Error("x"), { code: SECRET_VALUE }))).toBe("Error");
    expect(summarizeError("thrown string")).toBe("string");
  });

  it("keeps the code and message of errors RxWatch raised on purpose", () => {
    expect(describeRunError(new ProcessingError("missing_body", "no delivery kept its body", { isPermanent: true }))).toEqual({ message: "missing_body: no delivery kept its body", isPermanent: true });
    expect(describeRunError(new AppError("database_unavailable", "try later"))).toEqual({ message: "database_unavailable: try later", isPermanent: false });
  });

  it("names invalid payload fields by path and kind only", () => {
    const schema = z.object({ uid: z.string(), order: z.object({ priority: z.number() }) });
    const result = schema.safeParse({ uid: 12345, order: { priority: SECRET_VALUE } });
    if (result.success) throw new Error("expected a failure");
    const error = invalidPayloadError(result.error.issues);
    expect(error.isPermanent).toBe(true);
    expect(error.message).toBe("data.uid: invalid_type (expected string); data.order.priority: invalid_type (expected number)");
    expect(error.message).not.toContain("12345");
  });
});
