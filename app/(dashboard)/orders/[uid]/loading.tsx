import { CardsPageSkeleton } from "@/components/route-loading";

export default function OrderTraceLoading() {
  return <CardsPageSkeleton label="the order trace" cards={2} />;
}
