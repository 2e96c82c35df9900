-- DropIndex
DROP INDEX "delivery_received_at_idx";

-- DropIndex
DROP INDEX "delivery_outcome_received_at_idx";

-- CreateIndex
CREATE INDEX "delivery_received_at_id_idx" ON "delivery"("received_at", "id");

-- CreateIndex
CREATE INDEX "delivery_outcome_received_at_id_idx" ON "delivery"("outcome", "received_at", "id");

-- CreateIndex
CREATE INDEX "webhook_event_pharmacy_uid_idx" ON "webhook_event"("pharmacy_uid");

