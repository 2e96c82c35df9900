import { CardsPageSkeleton } from "@/components/route-loading";

export default function ReconciliationLoading() {
  return <CardsPageSkeleton label="reconciliation runs" />;
}
