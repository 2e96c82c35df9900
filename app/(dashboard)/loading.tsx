import { TablePageSkeleton } from "@/components/route-loading";

export default function DashboardLoading() {
  return <TablePageSkeleton label="the page" />;
}
