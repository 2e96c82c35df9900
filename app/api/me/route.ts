// GET /api/me — the signed-in person or token and its role.
import { viewerDtoSchema } from "@/lib/accounts";
import { toViewerDto } from "@/server/auth/viewer";
import { json, withViewer } from "@/server/http/route-handler";

export const GET = withViewer("staff", async (_request, { viewer }) => json(viewerDtoSchema, toViewerDto(viewer)));
