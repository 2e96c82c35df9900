"use client";

import { RouteError, type RouteErrorProps } from "@/components/route-error";

export default function AuditError(props: RouteErrorProps) {
  return <RouteError {...props} what="the audit log" />;
}
