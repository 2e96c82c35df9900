// GET|POST /api/settings/signing-secrets — list (masked) and add webhook signing secrets (admin).
import { z } from "zod";
import { addSigningSecretRequestSchema, signingSecretDtoSchema } from "@/lib/rxscale/signing-secrets";
import { recordAudit } from "@/server/audit/record-audit";
import { json, readJson, withViewer } from "@/server/http/route-handler";
import { addSigningSecret, listSigningSecrets } from "@/server/signing-secrets/signing-secrets";

export const GET = withViewer("admin", async () => json(z.array(signingSecretDtoSchema), await listSigningSecrets()));

export const POST = withViewer("admin", async (request, { viewer }) => {
  const body = await readJson(request, addSigningSecretRequestSchema);
  const secret = await addSigningSecret(body);
  await recordAudit({ action: "signing_secret.add", actor: viewer, target: { type: "signing_secret", id: secret.id }, details: { subscriptionUid: secret.subscriptionUid }, headers: request.headers });
  return json(signingSecretDtoSchema, secret, { status: 201 });
});
