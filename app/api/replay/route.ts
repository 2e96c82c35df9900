// GET|POST /api/replay — recent bulk replays; POST runs a dry run and stores it as a planned replay (admin).
import { replayJobDtoSchema, replayJobListDtoSchema, replayPlanRequestSchema } from "@/lib/failures";
import { json, readJson, withViewer } from "@/server/http";
import { listReplayJobs } from "@/server/replay/jobs";
import { planReplay } from "@/server/replay/plan";

export const GET = withViewer("admin", async () => json(replayJobListDtoSchema, { jobs: await listReplayJobs() }));

export const POST = withViewer("admin", async (request, { viewer }) => {
  const body = await readJson(request, replayPlanRequestSchema);
  return json(replayJobDtoSchema, await planReplay(body, viewer), { status: 201 });
});
