import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/core/db";
import { readModels, type FieldInfo, type ModelInfo } from "../support/prisma-models";
import { testProvider } from "../support/test-database";

/*
 * Proves every field of every Prisma model survives create → read → update →
 * delete on this provider. Models and fields come from prisma/models.prisma, so
 * models added later are covered without touching this test.
 */

type Row = Record<string, unknown>;
type Delegate = {
  create(args: { data: Row }): Promise<Row>;
  findUnique(args: { where: Row }): Promise<Row | null>;
  update(args: { where: Row; data: Row }): Promise<Row>;
  delete(args: { where: Row }): Promise<Row>;
};

const models = readModels();
/** Models whose rows the database refuses to change (a trigger; see the audit_append_only migration). */
const APPEND_ONLY = new Set(["AuditEntry"]);
const byName = new Map(models.map((model) => [model.name, model]));

function delegate(client: Db, model: ModelInfo): Delegate {
  const key = model.name.charAt(0).toLowerCase() + model.name.slice(1);
  return (client as unknown as Record<string, Delegate>)[key] as Delegate;
}

function sampleValue(field: FieldInfo, variant: 1 | 2): unknown {
  switch (field.type) {
    case "String":
      return `${field.name}-${variant}-${randomUUID()}`;
    case "Int":
      return variant === 1 ? 7 : 2_000_000_000;
    case "BigInt":
      return variant === 1 ? 42n : 9_007_199_254_740_993n;
    case "Float":
      return variant === 1 ? 1.5 : -2.25;
    case "Boolean":
      return variant === 2;
    case "DateTime":
      return new Date(variant === 1 ? "2026-01-02T03:04:05.678Z" : "2027-06-07T08:09:10.111Z");
    case "Json":
      return { variant, list: [1, "two", null] };
    case "Bytes":
      return new Uint8Array(variant === 1 ? [0, 1, 2, 255] : [9, 8, 7]);
    default:
      throw new Error(`No sample for ${field.type}`);
  }
}

/** Creates a row of `model` with every scalar set, creating the rows its foreign keys point at first. */
async function createFull(client: Db, model: ModelInfo): Promise<Row> {
  const data: Row = {};
  for (const field of model.fields) {
    if (field.isUpdatedAt) continue;
    if (field.references) {
      const parent = byName.get(field.references);
      if (!parent) throw new Error(`unknown model ${field.references}`);
      const parentRow = await createFull(client, parent);
      data[field.name] = parentRow[parent.idField];
    } else {
      data[field.name] = sampleValue(field, 1);
    }
  }
  return delegate(client, model).create({ data });
}

function comparable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

describe(`every model round-trips on ${testProvider()}`, () => {
  const client = createDb(process.env.DATABASE_URL ?? "");

  it.each(models.map((model) => [model.name, model] as const))("%s: create, read, update and delete every field", async (_name, model) => {
    const table = delegate(client, model);
    const created = await createFull(client, model);
    const key = Object.fromEntries(model.idFields.map((field) => [field, created[field]]));
    const where = model.idFields.length === 1 ? key : { [model.idField]: key };

    const read = await table.findUnique({ where });
    expect(read).not.toBeNull();
    for (const field of model.fields) expect(comparable(read?.[field.name]), field.name).toEqual(comparable(created[field.name]));

    const change: Row = {};
    for (const field of model.fields) {
      if (field.isId || field.references || field.isUpdatedAt) continue;
      change[field.name] = sampleValue(field, 2);
    }
    const nullable: Row = {};
    for (const field of model.fields) if (field.isOptional && !field.references) nullable[field.name] = null;

    if (APPEND_ONLY.has(model.name)) {
      // The message differs by driver (SQLite reports a trigger abort as a constraint violation); the row staying as it was is the proof.
      await expect(table.update({ where, data: change })).rejects.toThrow();
      const unchanged = await table.findUnique({ where });
      for (const name of Object.keys(change)) expect(comparable(unchanged?.[name]), name).toEqual(comparable(created[name]));
      // The second values and the nulls round-trip through a new row instead.
      for (const values of [change, { ...change, ...nullable }]) {
        const other = { ...values, [model.idField]: `${model.idField}-${randomUUID()}` };
        await table.create({ data: other });
        const otherWhere = { [model.idField]: other[model.idField] };
        const read = await table.findUnique({ where: otherWhere });
        for (const [name, value] of Object.entries(values)) expect(comparable(read?.[name]), name).toEqual(comparable(value));
        await table.delete({ where: otherWhere });
      }
    } else {
      await table.update({ where, data: change });
      const updated = await table.findUnique({ where });
      for (const [name, value] of Object.entries(change)) expect(comparable(updated?.[name]), name).toEqual(comparable(value));
    }

    if (Object.keys(nullable).length > 0 && !APPEND_ONLY.has(model.name)) {
      await table.update({ where, data: nullable });
      const cleared = await table.findUnique({ where });
      for (const name of Object.keys(nullable)) expect(cleared?.[name], name).toBeNull();
    }

    await table.delete({ where });
    expect(await table.findUnique({ where })).toBeNull();
  });
});
