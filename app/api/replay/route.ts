// GET|POST /api/replay — recent bulk replays; POST runs a dry run and stores it as a planned replay (admin).
import { replayJobDtoSchema, replayJobListDtoSchema, replayPlanRequestSchema } from "@/lib/failures";
import { recordAudit } from "@/server/audit/record-audit";
import { json, readJson, withViewer } from "@/server/http/route-handler";
import { listReplayJobs } from "@/server/replay/jobs";
import { planReplay } from "@/server/replay/plan";

export const GET = withViewer("admin", async () => json(replayJobListDtoSchema, { jobs: await listReplayJobs() }));

export const POST = withViewer("admin", async (request, { viewer }) => {
  const body = await readJson(request, replayPlanRequestSchema);
  const job = await planReplay(body, viewer);
  await recordAudit({ action: "replay.plan", actor: viewer, target: { type: "replay_job", id: job.id }, headers: request.headers });
  return json(replayJobDtoSchema, job, { status: 201 });
});
