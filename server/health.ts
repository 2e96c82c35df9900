import "server-only";
import type { HealthDto } from "@/lib/health";
import { currentProvider } from "@/server/db";
import { log } from "@/server/logger";
import { latestAppliedMigration } from "@/server/repositories/health";

export async function checkHealth(): Promise<HealthDto> {
  const provider = currentProvider();
  try {
    const migration = await latestAppliedMigration();
    return { status: "ok", database: { reachable: true, provider, migration } };
  } catch (error) {
    log("warn", "health check: database unreachable", { error: error instanceof Error ? error.name : "unknown" });
    return { status: "unavailable", database: { reachable: false, provider, migration: null } };
  }
}
