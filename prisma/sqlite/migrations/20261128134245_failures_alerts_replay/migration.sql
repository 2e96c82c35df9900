-- CreateTable
CREATE TABLE "incident" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "first_seen_at" DATETIME NOT NULL,
    "last_seen_at" DATETIME NOT NULL,
    "count" INTEGER NOT NULL,
    "opened_at" DATETIME NOT NULL,
    "acknowledged_at" DATETIME,
    "acknowledged_by_id" TEXT,
    "acknowledged_by_name" TEXT,
    "resolved_at" DATETIME,
    "resolved_by_id" TEXT,
    "resolved_by_name" TEXT,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "alert_state" (
    "rule" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "since" DATETIME NOT NULL,
    "value" REAL,
    "last_evaluated_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "alert_notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "rule" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "text" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "replay_job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "filter" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "queued" INTEGER NOT NULL DEFAULT 0,
    "events_per_second" INTEGER NOT NULL,
    "created_by_id" TEXT,
    "created_by_name" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    "started_at" DATETIME,
    "finished_at" DATETIME,
    "is_cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "runner_id" TEXT,
    "heartbeat_at" DATETIME,
    "error" TEXT
);

-- CreateTable
CREATE TABLE "replay_item" (
    "job_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "event_id" TEXT NOT NULL,
    "queued_at" DATETIME,

    PRIMARY KEY ("job_id", "position"),
    CONSTRAINT "replay_item_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "replay_job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "backlog_sample" (
    "minute" DATETIME NOT NULL PRIMARY KEY,
    "pending" INTEGER NOT NULL,
    "processing" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "dead" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "incident_state_last_seen_at_idx" ON "incident"("state", "last_seen_at");

-- CreateIndex
CREATE INDEX "alert_notification_created_at_idx" ON "alert_notification"("created_at");

-- CreateIndex
CREATE INDEX "replay_job_state_created_at_idx" ON "replay_job"("state", "created_at");

