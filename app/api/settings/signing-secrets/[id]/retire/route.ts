// POST /api/settings/signing-secrets/:id/retire — stop accepting a signing secret (admin).
import { idParamsSchema } from "@/lib/route-params";
import { signingSecretDtoSchema } from "@/lib/rxscale/signing-secrets";
import { recordAudit } from "@/server/audit/record-audit";
import { json, withViewer } from "@/server/http/route-handler";
import { retireSigningSecret } from "@/server/signing-secrets/signing-secrets";

export const POST = withViewer("admin", idParamsSchema, async (request, { viewer, params }) => {
  const secret = await retireSigningSecret(params.id);
  await recordAudit({ action: "signing_secret.retire", actor: viewer, target: { type: "signing_secret", id: secret.id }, headers: request.headers });
  return json(signingSecretDtoSchema, secret);
});
