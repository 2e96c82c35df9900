import type { TestProject } from "vitest/node";
import { startThrowawayPostgres } from "../../scripts/pg-cluster.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string | null;
  }
}

/**
 * For the PostgreSQL project: uses DATABASE_URL_TEST_PG when set, else starts
 * a throwaway PostgreSQL 15 cluster for this run and removes it afterwards.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  if (process.env.RXWATCH_TEST_PROVIDER !== "postgresql" && project.config.env?.RXWATCH_TEST_PROVIDER !== "postgresql") {
    project.provide("pgAdminUrl", null);
    return;
  }
  const configured = process.env.DATABASE_URL_TEST_PG;
  if (configured) {
    project.provide("pgAdminUrl", configured);
    return;
  }
  const cluster = (await startThrowawayPostgres({ log: () => {} })) as { url: string; stop: () => Promise<void> };
  project.provide("pgAdminUrl", cluster.url);
  return async () => {
    await cluster.stop();
  };
}
