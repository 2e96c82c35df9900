-- CreateTable
CREATE TABLE "signing_secret" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "label" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_matched_at" DATETIME,
    "retired_at" DATETIME,
    "subscription_uid" TEXT
);

-- CreateTable
CREATE TABLE "delivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "received_at" DATETIME NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason_code" TEXT,
    "flags" TEXT NOT NULL DEFAULT '',
    "http_status" INTEGER NOT NULL,
    "body_sha256" TEXT NOT NULL,
    "body_size" INTEGER NOT NULL,
    "body" BLOB,
    "headers" TEXT NOT NULL,
    "source_address" TEXT,
    "event_type_header" TEXT,
    "matched_secret_id" TEXT,
    "ack_ms" REAL,
    "event_id" TEXT,
    CONSTRAINT "delivery_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "webhook_event" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "webhook_event" (
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
    "processed_at" DATETIME
);

-- CreateTable
CREATE TABLE "processing_attempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "event_id" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "worker" TEXT NOT NULL,
    "started_at" DATETIME NOT NULL,
    "finished_at" DATETIME,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    CONSTRAINT "processing_attempt_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "webhook_event" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "delivery_received_at_idx" ON "delivery"("received_at");

-- CreateIndex
CREATE INDEX "delivery_outcome_received_at_idx" ON "delivery"("outcome", "received_at");

-- CreateIndex
CREATE INDEX "delivery_event_id_idx" ON "delivery"("event_id");

-- CreateIndex
CREATE INDEX "webhook_event_status_next_attempt_at_idx" ON "webhook_event"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_event_event_type_event_timestamp_data_uid_idx" ON "webhook_event"("event_type", "event_timestamp", "data_uid");

-- CreateIndex
CREATE INDEX "webhook_event_first_received_at_idx" ON "webhook_event"("first_received_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_event_event_type_event_timestamp_data_uid_body_sha256_key" ON "webhook_event"("event_type", "event_timestamp", "data_uid", "body_sha256");

-- CreateIndex
CREATE INDEX "processing_attempt_event_id_attempt_idx" ON "processing_attempt"("event_id", "attempt");

