"use client";

import { RouteError, type RouteErrorProps } from "@/components/route-error";

export default function OrderTraceError(props: RouteErrorProps) {
  return <RouteError {...props} what="the order trace" />;
}
