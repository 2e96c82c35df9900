-- DropIndex
DROP INDEX "order_status_last_event_at_order_uid_stage_idx";

-- CreateIndex
CREATE INDEX "order_status_last_event_at_order_uid_stage_stuck_at_idx" ON "order"("status", "last_event_at", "order_uid", "stage", "stuck_at");

