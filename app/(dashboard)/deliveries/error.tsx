"use client";

import { RouteError, type RouteErrorProps } from "@/components/route-error";

export default function DeliveriesError(props: RouteErrorProps) {
  return <RouteError {...props} what="the deliveries" />;
}
