// GET /api/metrics — Prometheus metrics for scrapers holding RXWATCH_METRICS_TOKEN or on an RXWATCH_METRICS_ALLOW network; counts and codes only, no sign-in.
import { AppError } from "@/server/core/errors";
import { errorResponse } from "@/server/http/route-handler";
import { authorizeScrape, scrapeMetrics } from "@/server/metrics/scrape";
import { withRequestContext } from "@/server/core/request-context";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return withRequestContext(request, async () => {
    try {
      const access = authorizeScrape(request.headers);
      if (access.kind === "denied" && access.status === 401) {
        const response = errorResponse(new AppError("unauthenticated", "Send the metrics token as Authorization: Bearer <RXWATCH_METRICS_TOKEN>."));
        response.headers.set("www-authenticate", 'Bearer realm="rxwatch-metrics"');
        return response;
      }
      if (access.kind === "denied") throw new AppError("forbidden", "Metrics are readable with the metrics token or from an allow-listed network only.");
      const { contentType, body } = await scrapeMetrics();
      return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
    } catch (error) {
      return errorResponse(error);
    }
  });
}
