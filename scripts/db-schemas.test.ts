import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PROVIDERS, renderSchema, schemaPath } from "./db-schemas.mjs";

describe("provider schemas", () => {
  it.each(PROVIDERS as string[])("prisma/%s/schema.prisma is exactly what prisma/models.prisma generates", (provider) => {
    expect(readFileSync(schemaPath(provider), "utf8"), "run `npm run db:schemas` after editing prisma/models.prisma").toBe(renderSchema(provider));
  });
});
