import "server-only";
import type { ReadinessDto } from "@/lib/health";
import { currentProvider } from "@/server/core/db";
import { log } from "@/server/core/logger";
import { latestAppliedMigration } from "@/server/repositories/health";
import { isShuttingDown } from "@/server/core/shutdown";

export async function checkReadiness(): Promise<ReadinessDto> {
  const provider = currentProvider();
  if (isShuttingDown()) return { status: "unavailable", isShuttingDown: true, database: { reachable: true, provider, migration: null } };
  try {
    const migration = await latestAppliedMigration();
    return { status: "ok", database: { reachable: true, provider, migration } };
  } catch (error) {
    log("warn", "health check: database unreachable", { error: error instanceof Error ? error.name : "unknown" });
    return { status: "unavailable", database: { reachable: false, provider, migration: null } };
  }
}
