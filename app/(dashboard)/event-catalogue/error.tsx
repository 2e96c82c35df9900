"use client";

import { RouteError, type RouteErrorProps } from "@/components/route-error";

export default function EventCatalogueError(props: RouteErrorProps) {
  return <RouteError {...props} what="the event catalogue" />;
}
