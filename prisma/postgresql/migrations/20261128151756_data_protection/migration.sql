-- DropIndex
DROP INDEX "webhook_event_patient_uid_idx";

-- DropIndex
DROP INDEX "order_patient_uid_idx";

-- AlterTable
ALTER TABLE "delivery" ADD COLUMN     "body_key_id" TEXT,
ADD COLUMN     "body_purge_reason" TEXT,
ADD COLUMN     "body_purged_at" TIMESTAMP(3),
ADD COLUMN     "patient_key" TEXT;

-- AlterTable
ALTER TABLE "webhook_event" DROP COLUMN "patient_uid",
ADD COLUMN     "patient_key" TEXT;

-- AlterTable
ALTER TABLE "order" DROP COLUMN "patient_uid",
ADD COLUMN     "patient_key" TEXT;

-- AlterTable
ALTER TABLE "order_fact" DROP COLUMN "patient_uid",
ADD COLUMN     "patient_key" TEXT;

-- CreateTable
CREATE TABLE "audit_entry" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
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
    "user_agent" TEXT,

    CONSTRAINT "audit_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reveal_grant" (
    "id" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "reveal_grant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "purge_run" (
    "id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL,
    "finished_at" TIMESTAMP(3),
    "removed" TEXT NOT NULL DEFAULT '{}',
    "actor_id" TEXT,
    "audit_id" TEXT,
    "error" TEXT,

    CONSTRAINT "purge_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sign_in_throttle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "first_failed_at" TIMESTAMP(3) NOT NULL,
    "last_failed_at" TIMESTAMP(3) NOT NULL,
    "locked_until" TIMESTAMP(3),

    CONSTRAINT "sign_in_throttle_pkey" PRIMARY KEY ("key")
);

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

-- CreateIndex
CREATE INDEX "webhook_event_patient_key_idx" ON "webhook_event"("patient_key");

-- CreateIndex
CREATE INDEX "order_patient_key_idx" ON "order"("patient_key");

-- CreateIndex
CREATE INDEX "order_fact_patient_key_idx" ON "order_fact"("patient_key");

