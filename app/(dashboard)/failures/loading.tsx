import { CardsPageSkeleton } from "@/components/route-loading";

export default function FailuresLoading() {
  return <CardsPageSkeleton label="failures" />;
}
