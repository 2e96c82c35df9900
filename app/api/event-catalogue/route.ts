// GET /api/event-catalogue — every event type received: fields, types, statuses, volume, last seen (support).
import { eventCatalogueDtoSchema } from "@/lib/drift";
import { json, withViewer } from "@/server/http/route-handler";
import { getEventCatalogue } from "@/server/drift/catalogue";

export const GET = withViewer("support", async () => json(eventCatalogueDtoSchema, await getEventCatalogue()));
