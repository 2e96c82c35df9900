// POST /api/alerts/test — send a test alert to every configured channel and report each result (admin).
import { testAlertResultDtoSchema } from "@/lib/alerts";
import { json, withViewer } from "@/server/http";
import { sendTestAlert } from "@/server/alerts/service";

export const POST = withViewer("admin", async () => json(testAlertResultDtoSchema, await sendTestAlert()));
