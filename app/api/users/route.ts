// GET|POST /api/users — list users and create one (admin).
import { z } from "zod";
import { createUserRequestSchema, userDtoSchema } from "@/lib/accounts";
import { createUser, listUsers } from "@/server/auth/users";
import { json, readJson, withViewer } from "@/server/http/route-handler";

export const GET = withViewer("admin", async () => json(z.array(userDtoSchema), await listUsers()));

export const POST = withViewer("admin", async (request, { viewer }) => {
  const body = await readJson(request, createUserRequestSchema);
  return json(userDtoSchema, await createUser(body, { actor: viewer, headers: request.headers }), { status: 201 });
});
