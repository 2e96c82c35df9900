import { z } from "zod";

/** One path segment as the router hands it over (decoded): bounded, and without control characters. */
export const pathSegmentSchema = z
  .string()
  .trim()
  .min(1)
  .max(512)
  .regex(/^[^\p{Cc}]*$/u, "must not contain control characters");

export const idParamsSchema = z.object({ id: pathSegmentSchema });
export const uidParamsSchema = z.object({ uid: pathSegmentSchema });
export const keyParamsSchema = z.object({ key: pathSegmentSchema });
