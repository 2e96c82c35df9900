import { CardsPageSkeleton } from "@/components/route-loading";

export default function EventCatalogueLoading() {
  return <CardsPageSkeleton label="event catalogue" />;
}
