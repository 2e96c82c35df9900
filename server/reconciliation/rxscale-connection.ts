import "server-only";
import { AppError } from "@/server/core/errors";
import { createRxScaleClient, type RxScaleClient } from "@/server/rxscale/client";
import { resolveRxScaleBaseUrl } from "@/server/rxscale/environments";
import { getSettings } from "@/server/settings/settings";
import { readApiKey } from "@/server/subscriptions/api-key";

/** The Management API client for the configured connection; a conflict when no API key is saved. */
export async function connectedRxScaleClient(): Promise<RxScaleClient> {
  const settings = await getSettings("connection");
  const apiKey = await readApiKey();
  if (!apiKey) throw new AppError("conflict", "No RxScale API key is configured, so RxWatch cannot read RxScale's orders. Enter one under Connection first.");
  return createRxScaleClient({ baseUrl: resolveRxScaleBaseUrl(settings.environment, settings.customBaseUrl), apiKey, trailingSlash: settings.trailingSlash });
}
