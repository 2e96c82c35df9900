-- DropIndex
DROP INDEX "order_stage_last_event_at_idx";

-- DropIndex
DROP INDEX "order_status_idx";

-- CreateIndex
CREATE INDEX "order_stage_last_event_at_covering_idx" ON "order"("stage", "last_event_at", "order_uid", "stuck_at", "pharmacy_name", "pharmacy_uid");

-- CreateIndex
CREATE INDEX "order_status_last_event_at_order_uid_stage_idx" ON "order"("status", "last_event_at", "order_uid", "stage");

