"use client";

import { RouteError, type RouteErrorProps } from "@/components/route-error";

export default function SettingsError(props: RouteErrorProps) {
  return <RouteError {...props} what="the settings" />;
}
