-- DropIndex
DROP INDEX "webhook_event_status_next_attempt_at_idx";

-- DropIndex
DROP INDEX "webhook_event_event_type_event_timestamp_data_uid_idx";

-- CreateIndex
CREATE INDEX "webhook_event_status_next_attempt_at_id_idx" ON "webhook_event"("status", "next_attempt_at", "id");

