// POST /api/settings/signing-secrets/:id/retire — stop accepting a signing secret (admin).
import { signingSecretDtoSchema } from "@/lib/rxscale/signing-secrets";
import { json, withViewer } from "@/server/http";
import { retireSigningSecret } from "@/server/ingest/signing-secrets";

export const POST = withViewer<{ id: string }>("admin", async (_request, { params }) => json(signingSecretDtoSchema, await retireSigningSecret(params.id)));
