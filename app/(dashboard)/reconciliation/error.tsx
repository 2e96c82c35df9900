"use client";

import { RouteError, type RouteErrorProps } from "@/components/route-error";

export default function ReconciliationError(props: RouteErrorProps) {
  return <RouteError {...props} what="the reconciliation runs" />;
}
