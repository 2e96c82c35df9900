"use client";

import { RouteError, type RouteErrorProps } from "@/components/route-error";

export default function FailuresError(props: RouteErrorProps) {
  return <RouteError {...props} what="the failures" />;
}
