import { z } from "zod";

/** Longest signing secret accepted. RxScale's look like `whsec_…`; the limit only stops pasted garbage. */
export const MAX_SIGNING_SECRET_LENGTH = 512;

/** A stored signing secret as listed: never the secret, only its last characters. */
export const signingSecretDtoSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** "…" followed by the secret's last 4 characters. */
  hint: z.string(),
  subscriptionUid: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastMatchedAt: z.iso.datetime().nullable(),
  retiredAt: z.iso.datetime().nullable(),
  isActive: z.boolean(),
});
export type SigningSecretDto = z.infer<typeof signingSecretDtoSchema>;

export const addSigningSecretRequestSchema = z.object({
  label: z.string().trim().min(1).max(80),
  /** Surrounding whitespace is a copy-and-paste accident, never part of an RxScale secret. */
  secret: z
    .string()
    .trim()
    .min(8, "looks too short for a signing secret")
    .max(MAX_SIGNING_SECRET_LENGTH),
  subscriptionUid: z.string().trim().min(1).max(128).nullable().optional(),
});
export type AddSigningSecretRequest = z.infer<typeof addSigningSecretRequestSchema>;
