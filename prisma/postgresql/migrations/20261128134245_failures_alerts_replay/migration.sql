-- CreateTable
CREATE TABLE "incident" (
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "first_seen_at" TIMESTAMP(3) NOT NULL,
    "last_seen_at" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,
    "opened_at" TIMESTAMP(3) NOT NULL,
    "acknowledged_at" TIMESTAMP(3),
    "acknowledged_by_id" TEXT,
    "acknowledged_by_name" TEXT,
    "resolved_at" TIMESTAMP(3),
    "resolved_by_id" TEXT,
    "resolved_by_name" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "incident_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "alert_state" (
    "rule" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,
    "value" DOUBLE PRECISION,
    "last_evaluated_at" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "alert_state_pkey" PRIMARY KEY ("rule")
);

-- CreateTable
CREATE TABLE "alert_notification" (
    "id" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "alert_notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "replay_job" (
    "id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "filter" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "queued" INTEGER NOT NULL DEFAULT 0,
    "events_per_second" INTEGER NOT NULL,
    "created_by_id" TEXT,
    "created_by_name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "is_cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "runner_id" TEXT,
    "heartbeat_at" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "replay_job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "replay_item" (
    "job_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "event_id" TEXT NOT NULL,
    "queued_at" TIMESTAMP(3),

    CONSTRAINT "replay_item_pkey" PRIMARY KEY ("job_id","position")
);

-- CreateTable
CREATE TABLE "backlog_sample" (
    "minute" TIMESTAMP(3) NOT NULL,
    "pending" INTEGER NOT NULL,
    "processing" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "dead" INTEGER NOT NULL,

    CONSTRAINT "backlog_sample_pkey" PRIMARY KEY ("minute")
);

-- CreateIndex
CREATE INDEX "incident_state_last_seen_at_idx" ON "incident"("state", "last_seen_at");

-- CreateIndex
CREATE INDEX "alert_notification_created_at_idx" ON "alert_notification"("created_at");

-- CreateIndex
CREATE INDEX "replay_job_state_created_at_idx" ON "replay_job"("state", "created_at");

-- AddForeignKey
ALTER TABLE "replay_item" ADD CONSTRAINT "replay_item_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "replay_job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

