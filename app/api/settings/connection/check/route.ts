// POST /api/settings/connection/check — reach RxScale's health endpoint and prove the key can list subscriptions (admin).
import { connectionCheckDtoSchema } from "@/lib/subscriptions";
import { json, withViewer } from "@/server/http";
import { checkConnection } from "@/server/subscriptions/service";

export const POST = withViewer("admin", async () => json(connectionCheckDtoSchema, await checkConnection()));
