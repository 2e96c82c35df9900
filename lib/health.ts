import { z } from "zod";

/** GET /api/health: readiness without any data. */
export const healthDtoSchema = z.object({
  status: z.enum(["ok", "unavailable"]),
  database: z.object({ reachable: z.boolean(), provider: z.enum(["sqlite", "postgresql"]), migration: z.string().nullable() }),
});
export type HealthDto = z.infer<typeof healthDtoSchema>;
