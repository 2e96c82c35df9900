import { TablePageSkeleton } from "@/components/route-loading";

export default function InsightsLoading() {
  return <TablePageSkeleton label="insights" />;
}
