import { CardsPageSkeleton } from "@/components/route-loading";

export default function SettingsLoading() {
  return <CardsPageSkeleton label="settings" cards={2} />;
}
