import { TablePageSkeleton } from "@/components/route-loading";

export default function OrdersLoading() {
  return <TablePageSkeleton label="orders" />;
}
