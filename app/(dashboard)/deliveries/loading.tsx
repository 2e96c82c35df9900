import { TablePageSkeleton } from "@/components/route-loading";

export default function DeliveriesLoading() {
  return <TablePageSkeleton label="deliveries" filters={6} />;
}
