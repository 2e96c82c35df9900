"use client";

import { RouteError, type RouteErrorProps } from "@/components/route-error";

export default function InsightsError(props: RouteErrorProps) {
  return <RouteError {...props} what="the insights" />;
}
