import { describe, expect, it } from "vitest";
import { namesSomething, statedReasonSchema, STATED_REASON_MESSAGE } from "@/lib/stated-reason";

describe("stated reasons", () => {
  it.each(["aaaaaaaaaa", "aaaaa aaaaa", "AAAA aaaa", "..........", "1234567890", "12345 67890", "x y z w v u", "asdfghjklö", "----------"])("refuses %j, which names nothing", (text) => {
    expect(namesSomething(text)).toBe(false);
  });

  it.each(["Patient called: parcel not delivered, ticket 8812", "DSR-2027-014", "ticket 8812", "Data subject access request", "Anfrage des Patienten", "Plainte reçue"])("accepts %j", (text) => {
    expect(namesSomething(text)).toBe(true);
  });

  it("checks the length first, then whether the reason names something", () => {
    const schema = statedReasonSchema({ minChars: 10, maxChars: 500, tooShort: "Say why, in at least 10 characters." });
    expect(schema.safeParse("curious").error?.issues[0]?.message).toBe("Say why, in at least 10 characters.");
    expect(schema.safeParse("aaaaaaaaaa").error?.issues[0]?.message).toBe(STATED_REASON_MESSAGE);
    expect(schema.safeParse("  checking a parcel complaint  ").data).toBe("checking a parcel complaint");
  });
});
