import { z } from "zod";

/** GET /api/health: readiness without any data. */
export const readinessDtoSchema = z.object({
  status: z.enum(["ok", "unavailable"]),
  /** True while the instance drains for a shutdown: a load balancer should stop sending it traffic. */
  isShuttingDown: z.boolean().optional(),
  database: z.object({ reachable: z.boolean(), provider: z.enum(["sqlite", "postgresql"]), migration: z.string().nullable() }),
});
export type ReadinessDto = z.infer<typeof readinessDtoSchema>;
