import { readFileSync } from "node:fs";
import path from "node:path";

/** What the tests need to know of a model in prisma/models.prisma. */
export interface ModelInfo {
  name: string;
  table: string;
  idField: string;
  /** The fields of the primary key: one, or several for an `@@id([…])`. */
  idFields: string[];
  fields: FieldInfo[];
}

export interface FieldInfo {
  name: string;
  column: string;
  type: string;
  isOptional: boolean;
  isUnique: boolean;
  isId: boolean;
  isUpdatedAt: boolean;
  /** For a foreign-key scalar: the model it points at. */
  references: string | null;
}

const SCALARS = new Set(["String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes"]);

/** The fields of a model's `@@id([…])`, or null when it has a single-field id. */
function compositeIdOf(lines: readonly string[]): string[] | null {
  for (const line of lines) {
    const composite = /^@@id\(\[([\w,\s]+)\]/.exec(line);
    if (composite?.[1]) return composite[1].split(",").map((part) => part.trim());
  }
  return null;
}

/** Parses the scalar fields of every model in prisma/models.prisma (the one source both providers are generated from). */
export function readModels(root = process.cwd()): ModelInfo[] {
  const text = readFileSync(path.join(root, "prisma/models.prisma"), "utf8");
  const models: ModelInfo[] = [];
  for (const match of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const [, name = "", body = ""] = match;
    const foreignKeys = new Map<string, string>();
    const lines = body.split("\n").map((line) => line.replace(/\/\/.*$/, "").trim()).filter(Boolean);
    for (const line of lines) {
      const relation = /^(\w+)\s+(\w+)\??\s+@relation\(.*fields:\s*\[(\w+)\]/.exec(line);
      if (relation?.[2] && relation[3]) foreignKeys.set(relation[3], relation[2]);
    }
    const fields: FieldInfo[] = [];
    let table = name;
    const compositeId = compositeIdOf(lines);
    for (const line of lines) {
      const mapped = /^@@map\("(\w+)"\)/.exec(line);
      if (mapped?.[1]) table = mapped[1];
      const field = /^(\w+)\s+(\w+)(\?|\[\])?(.*)$/.exec(line);
      if (!field || line.startsWith("@@")) continue;
      const [, fieldName = "", type = "", modifier, attributes = ""] = field;
      if (!SCALARS.has(type) || modifier === "[]") continue;
      fields.push({
        name: fieldName,
        column: /@map\("(\w+)"\)/.exec(attributes)?.[1] ?? fieldName,
        type,
        isOptional: modifier === "?",
        isUnique: /@unique\b/.test(attributes),
        isId: /@id\b/.test(attributes) || (compositeId?.includes(fieldName) ?? false),
        isUpdatedAt: /@updatedAt\b/.test(attributes),
        references: foreignKeys.get(fieldName) ?? null,
      });
    }
    const idFields = compositeId ?? [fields.find((field) => field.isId)?.name ?? "id"];
    // Prisma names a compound key's unique input after its fields joined by "_".
    models.push({ name, table, idField: idFields.join("_"), idFields, fields });
  }
  return models;
}
