-- AlterTable
ALTER TABLE "webhook_event" ADD COLUMN     "data_status" TEXT,
ADD COLUMN     "order_uid" TEXT,
ADD COLUMN     "patient_uid" TEXT,
ADD COLUMN     "pharmacy_order_uid" TEXT,
ADD COLUMN     "pharmacy_uid" TEXT,
ADD COLUMN     "shop_order_name" TEXT;

-- CreateTable
CREATE TABLE "order" (
    "order_uid" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reached_stage" TEXT,
    "stage_since" TIMESTAMP(3) NOT NULL,
    "first_event_at" TIMESTAMP(3) NOT NULL,
    "last_event_at" TIMESTAMP(3) NOT NULL,
    "pharmacy_uid" TEXT,
    "pharmacy_name" TEXT,
    "delivery_type" TEXT,
    "shop_order_name" TEXT,
    "patient_uid" TEXT,
    "gaps" TEXT NOT NULL DEFAULT '',
    "entities" TEXT NOT NULL,
    "event_count" INTEGER NOT NULL,
    "stuck_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "order_pkey" PRIMARY KEY ("order_uid")
);

-- CreateTable
CREATE TABLE "order_fact" (
    "event_id" TEXT NOT NULL,
    "order_uid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "entity_uid" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "data_updated_at" BIGINT,
    "timestamp" BIGINT NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL,
    "pharmacy_uid" TEXT,
    "pharmacy_name" TEXT,
    "delivery_type" TEXT,
    "shop_order_name" TEXT,
    "patient_uid" TEXT,

    CONSTRAINT "order_fact_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "change_notice" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_notice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "order_last_event_at_idx" ON "order"("last_event_at");

-- CreateIndex
CREATE INDEX "order_stage_last_event_at_idx" ON "order"("stage", "last_event_at");

-- CreateIndex
CREATE INDEX "order_stuck_at_idx" ON "order"("stuck_at");

-- CreateIndex
CREATE INDEX "order_pharmacy_name_idx" ON "order"("pharmacy_name");

-- CreateIndex
CREATE INDEX "order_status_idx" ON "order"("status");

-- CreateIndex
CREATE INDEX "order_shop_order_name_idx" ON "order"("shop_order_name");

-- CreateIndex
CREATE INDEX "order_patient_uid_idx" ON "order"("patient_uid");

-- CreateIndex
CREATE INDEX "order_fact_order_uid_idx" ON "order_fact"("order_uid");

-- CreateIndex
CREATE INDEX "order_fact_entity_uid_idx" ON "order_fact"("entity_uid");

-- CreateIndex
CREATE INDEX "change_notice_created_at_idx" ON "change_notice"("created_at");

-- CreateIndex
CREATE INDEX "webhook_event_order_uid_idx" ON "webhook_event"("order_uid");

-- CreateIndex
CREATE INDEX "webhook_event_pharmacy_order_uid_idx" ON "webhook_event"("pharmacy_order_uid");

-- CreateIndex
CREATE INDEX "webhook_event_shop_order_name_idx" ON "webhook_event"("shop_order_name");

-- CreateIndex
CREATE INDEX "webhook_event_patient_uid_idx" ON "webhook_event"("patient_uid");

