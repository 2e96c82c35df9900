import { createEmptyDatabase } from "./test-database";
import { migrateDatabase } from "@/server/core/migrations";

/*
 * Runs before each integration test file: gives the file its own migrated,
 * empty database and points DATABASE_URL at it, so server modules imported by
 * the file (which read the environment once) use it.
 */
const url = await createEmptyDatabase();
process.env.DATABASE_URL = url;
process.env.RXWATCH_SECRET_KEY ??= "test-secret-key-with-at-least-32-characters!!";
await migrateDatabase(url);
