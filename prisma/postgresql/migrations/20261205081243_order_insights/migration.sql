-- AlterTable
ALTER TABLE "order" ADD COLUMN     "first_stuck_at" TIMESTAMP(3),
ADD COLUMN     "furthest_stage" TEXT,
ADD COLUMN     "in_pharmacy_seconds" INTEGER,
ADD COLUMN     "ordered_seconds" INTEGER,
ADD COLUMN     "prescription_approved_seconds" INTEGER,
ADD COLUMN     "prescription_signed_seconds" INTEGER,
ADD COLUMN     "sent_to_pharmacy_seconds" INTEGER,
ADD COLUMN     "shipped_seconds" INTEGER,
ADD COLUMN     "to_ship_seconds" INTEGER,
ADD COLUMN     "went_out_of_stock" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "order_insights_idx" ON "order"("first_event_at", "pharmacy_name", "stage", "furthest_stage", "went_out_of_stock", "to_ship_seconds", "first_stuck_at", "stuck_at");

-- CreateIndex
CREATE INDEX "order_stage_seconds_idx" ON "order"("first_event_at", "pharmacy_name", "ordered_seconds", "prescription_approved_seconds", "prescription_signed_seconds", "sent_to_pharmacy_seconds", "in_pharmacy_seconds", "shipped_seconds");

-- CreateIndex
CREATE INDEX "order_first_stuck_at_pharmacy_name_stuck_at_idx" ON "order"("first_stuck_at", "pharmacy_name", "stuck_at");

