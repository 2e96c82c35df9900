-- AlterTable
ALTER TABLE "delivery" ADD COLUMN "body_key_id" TEXT;
ALTER TABLE "delivery" ADD COLUMN "body_purge_reason" TEXT;
ALTER TABLE "delivery" ADD COLUMN "body_purged_at" DATETIME;
ALTER TABLE "delivery" ADD COLUMN "patient_key" TEXT;

-- CreateTable
CREATE TABLE "audit_entry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT,
    "actor_label" TEXT NOT NULL,
    "actor_role" TEXT,
    "action" TEXT NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'success',
    "target_type" TEXT,
    "target_id" TEXT,
    "reason" TEXT,
    "details" TEXT NOT NULL DEFAULT '{}',
    "source_address" TEXT,
    "user_agent" TEXT
);

-- CreateTable
CREATE TABLE "reveal_grant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "delivery_id" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    "expires_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "purge_run" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "trigger" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "started_at" DATETIME NOT NULL,
    "finished_at" DATETIME,
    "removed" TEXT NOT NULL DEFAULT '{}',
    "actor_id" TEXT,
    "audit_id" TEXT,
    "error" TEXT
);

-- CreateTable
CREATE TABLE "sign_in_throttle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL,
    "first_failed_at" DATETIME NOT NULL,
    "last_failed_at" DATETIME NOT NULL,
    "locked_until" DATETIME
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_webhook_event" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "event_type" TEXT NOT NULL,
    "event_timestamp" BIGINT NOT NULL,
    "payload_version" TEXT NOT NULL,
    "data_uid" TEXT NOT NULL,
    "body_sha256" TEXT NOT NULL,
    "is_key_collision" BOOLEAN NOT NULL DEFAULT false,
    "is_known_type" BOOLEAN NOT NULL DEFAULT true,
    "first_received_at" DATETIME NOT NULL,
    "last_received_at" DATETIME NOT NULL,
    "duplicate_count" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" DATETIME NOT NULL,
    "lease_owner" TEXT,
    "lease_expires_at" DATETIME,
    "last_error" TEXT,
    "processed_at" DATETIME,
    "order_uid" TEXT,
    "pharmacy_order_uid" TEXT,
    "shop_order_name" TEXT,
    "patient_key" TEXT,
    "pharmacy_uid" TEXT,
    "data_status" TEXT
);
INSERT INTO "new_webhook_event" ("attempts", "body_sha256", "data_status", "data_uid", "duplicate_count", "event_timestamp", "event_type", "first_received_at", "id", "is_key_collision", "is_known_type", "last_error", "last_received_at", "lease_expires_at", "lease_owner", "next_attempt_at", "order_uid", "payload_version", "pharmacy_order_uid", "pharmacy_uid", "processed_at", "shop_order_name", "status") SELECT "attempts", "body_sha256", "data_status", "data_uid", "duplicate_count", "event_timestamp", "event_type", "first_received_at", "id", "is_key_collision", "is_known_type", "last_error", "last_received_at", "lease_expires_at", "lease_owner", "next_attempt_at", "order_uid", "payload_version", "pharmacy_order_uid", "pharmacy_uid", "processed_at", "shop_order_name", "status" FROM "webhook_event";
DROP TABLE "webhook_event";
ALTER TABLE "new_webhook_event" RENAME TO "webhook_event";
CREATE INDEX "webhook_event_status_next_attempt_at_idx" ON "webhook_event"("status", "next_attempt_at");
CREATE INDEX "webhook_event_event_type_event_timestamp_data_uid_idx" ON "webhook_event"("event_type", "event_timestamp", "data_uid");
CREATE INDEX "webhook_event_first_received_at_idx" ON "webhook_event"("first_received_at");
CREATE INDEX "webhook_event_order_uid_idx" ON "webhook_event"("order_uid");
CREATE INDEX "webhook_event_pharmacy_order_uid_idx" ON "webhook_event"("pharmacy_order_uid");
CREATE INDEX "webhook_event_shop_order_name_idx" ON "webhook_event"("shop_order_name");
CREATE INDEX "webhook_event_patient_key_idx" ON "webhook_event"("patient_key");
CREATE INDEX "webhook_event_pharmacy_uid_idx" ON "webhook_event"("pharmacy_uid");
CREATE UNIQUE INDEX "webhook_event_event_type_event_timestamp_data_uid_body_sha256_key" ON "webhook_event"("event_type", "event_timestamp", "data_uid", "body_sha256");
CREATE TABLE "new_order" (
    "order_uid" TEXT NOT NULL PRIMARY KEY,
    "stage" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reached_stage" TEXT,
    "stage_since" DATETIME NOT NULL,
    "first_event_at" DATETIME NOT NULL,
    "last_event_at" DATETIME NOT NULL,
    "pharmacy_uid" TEXT,
    "pharmacy_name" TEXT,
    "delivery_type" TEXT,
    "shop_order_name" TEXT,
    "patient_key" TEXT,
    "gaps" TEXT NOT NULL DEFAULT '',
    "entities" TEXT NOT NULL,
    "event_count" INTEGER NOT NULL,
    "stuck_at" DATETIME,
    "updated_at" DATETIME NOT NULL
);
INSERT INTO "new_order" ("delivery_type", "entities", "event_count", "first_event_at", "gaps", "last_event_at", "order_uid", "pharmacy_name", "pharmacy_uid", "reached_stage", "shop_order_name", "stage", "stage_since", "status", "stuck_at", "updated_at") SELECT "delivery_type", "entities", "event_count", "first_event_at", "gaps", "last_event_at", "order_uid", "pharmacy_name", "pharmacy_uid", "reached_stage", "shop_order_name", "stage", "stage_since", "status", "stuck_at", "updated_at" FROM "order";
DROP TABLE "order";
ALTER TABLE "new_order" RENAME TO "order";
CREATE INDEX "order_last_event_at_idx" ON "order"("last_event_at");
CREATE INDEX "order_stage_last_event_at_covering_idx" ON "order"("stage", "last_event_at", "order_uid", "stuck_at", "pharmacy_name", "pharmacy_uid");
CREATE INDEX "order_stuck_at_idx" ON "order"("stuck_at");
CREATE INDEX "order_pharmacy_name_idx" ON "order"("pharmacy_name");
CREATE INDEX "order_status_last_event_at_order_uid_stage_stuck_at_idx" ON "order"("status", "last_event_at", "order_uid", "stage", "stuck_at");
CREATE INDEX "order_shop_order_name_idx" ON "order"("shop_order_name");
CREATE INDEX "order_patient_key_idx" ON "order"("patient_key");
CREATE TABLE "new_order_fact" (
    "event_id" TEXT NOT NULL PRIMARY KEY,
    "order_uid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "entity_uid" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "data_updated_at" BIGINT,
    "timestamp" BIGINT NOT NULL,
    "received_at" DATETIME NOT NULL,
    "pharmacy_uid" TEXT,
    "pharmacy_name" TEXT,
    "delivery_type" TEXT,
    "shop_order_name" TEXT,
    "patient_key" TEXT
);
INSERT INTO "new_order_fact" ("data_updated_at", "delivery_type", "entity_uid", "event_id", "event_type", "kind", "order_uid", "pharmacy_name", "pharmacy_uid", "received_at", "shop_order_name", "status", "timestamp") SELECT "data_updated_at", "delivery_type", "entity_uid", "event_id", "event_type", "kind", "order_uid", "pharmacy_name", "pharmacy_uid", "received_at", "shop_order_name", "status", "timestamp" FROM "order_fact";
DROP TABLE "order_fact";
ALTER TABLE "new_order_fact" RENAME TO "order_fact";
CREATE INDEX "order_fact_order_uid_idx" ON "order_fact"("order_uid");
CREATE INDEX "order_fact_patient_key_idx" ON "order_fact"("patient_key");
CREATE INDEX "order_fact_entity_uid_idx" ON "order_fact"("entity_uid");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "audit_entry_at_id_idx" ON "audit_entry"("at", "id");

-- CreateIndex
CREATE INDEX "audit_entry_action_at_idx" ON "audit_entry"("action", "at");

-- CreateIndex
CREATE INDEX "audit_entry_actor_id_at_idx" ON "audit_entry"("actor_id", "at");

-- CreateIndex
CREATE INDEX "audit_entry_target_type_target_id_idx" ON "audit_entry"("target_type", "target_id");

-- CreateIndex
CREATE INDEX "reveal_grant_actor_id_delivery_id_expires_at_idx" ON "reveal_grant"("actor_id", "delivery_id", "expires_at");

-- CreateIndex
CREATE INDEX "reveal_grant_expires_at_idx" ON "reveal_grant"("expires_at");

-- CreateIndex
CREATE INDEX "purge_run_started_at_idx" ON "purge_run"("started_at");

-- CreateIndex
CREATE INDEX "delivery_patient_key_idx" ON "delivery"("patient_key");

-- CreateIndex
CREATE INDEX "delivery_body_key_id_idx" ON "delivery"("body_key_id");

