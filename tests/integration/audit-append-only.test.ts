import { describe, expect, it } from "vitest";
import { recordAudit } from "@/server/audit/record-audit";
import { db } from "@/server/core/db";

describe("the database keeps audit entries append-only", () => {
  it("refuses to change an entry, through Prisma or raw SQL, and keeps it as written", async () => {
    const id = await recordAudit({ action: "settings.update", actor: { via: "system", name: "test" }, details: { changed: "retention" } });
    const client = await db();
    await expect(client.auditEntry.update({ where: { id }, data: { actorLabel: "someone else" } })).rejects.toThrow(/append-only/);
    await expect(client.$executeRawUnsafe(`UPDATE "audit_entry" SET "outcome" = 'failure' WHERE "id" = '${id}'`)).rejects.toThrow(/append-only/);
    expect(await client.auditEntry.findUnique({ where: { id } })).toMatchObject({ actorLabel: "test", outcome: "success" });
  });

  it("still lets the retention purge delete entries", async () => {
    const id = await recordAudit({ action: "settings.update", actor: { via: "system", name: "test" } });
    const client = await db();
    expect((await client.auditEntry.deleteMany({ where: { id } })).count).toBe(1);
  });
});
