// GET|POST /api/settings/signing-secrets — list (masked) and add webhook signing secrets (admin).
import { z } from "zod";
import { addSigningSecretRequestSchema, signingSecretDtoSchema } from "@/lib/rxscale/signing-secrets";
import { json, readJson, withViewer } from "@/server/http";
import { addSigningSecret, listSigningSecrets } from "@/server/ingest/signing-secrets";

export const GET = withViewer("admin", async () => json(z.array(signingSecretDtoSchema), await listSigningSecrets()));

export const POST = withViewer("admin", async (request) => {
  const body = await readJson(request, addSigningSecretRequestSchema);
  return json(signingSecretDtoSchema, await addSigningSecret(body), { status: 201 });
});
