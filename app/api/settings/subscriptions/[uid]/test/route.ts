// POST /api/settings/subscriptions/:uid/test — ask RxScale for a test delivery and wait for it to arrive here (admin).
import { testEventResultDtoSchema } from "@/lib/subscriptions";
import { json, withViewer } from "@/server/http";
import { sendTestEvent } from "@/server/subscriptions/service";

export const POST = withViewer<{ uid: string }>("admin", async (_request, { params }) => json(testEventResultDtoSchema, await sendTestEvent(params.uid)));
