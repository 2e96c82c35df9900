"use client";

import { RouteError, type RouteErrorProps } from "@/components/route-error";

export default function OrdersError(props: RouteErrorProps) {
  return <RouteError {...props} what="the orders" />;
}
