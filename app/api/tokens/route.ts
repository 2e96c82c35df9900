// GET|POST /api/tokens — list API tokens and create one; the secret is in the POST response only (admin).
import { z } from "zod";
import { apiTokenDtoSchema, createApiTokenRequestSchema, createdApiTokenDtoSchema } from "@/lib/accounts";
import { createApiToken, listApiTokens } from "@/server/auth/tokens";
import { json, readJson, withViewer } from "@/server/http/route-handler";

export const GET = withViewer("admin", async () => json(z.array(apiTokenDtoSchema), await listApiTokens()));

export const POST = withViewer("admin", async (request, { viewer }) => {
  const body = await readJson(request, createApiTokenRequestSchema);
  const created = await createApiToken(body, { actor: viewer, headers: request.headers });
  return json(createdApiTokenDtoSchema, created, { status: 201 });
});
