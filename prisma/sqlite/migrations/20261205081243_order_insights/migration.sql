-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
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
    "ordered_seconds" INTEGER,
    "prescription_approved_seconds" INTEGER,
    "prescription_signed_seconds" INTEGER,
    "sent_to_pharmacy_seconds" INTEGER,
    "in_pharmacy_seconds" INTEGER,
    "shipped_seconds" INTEGER,
    "furthest_stage" TEXT,
    "to_ship_seconds" INTEGER,
    "went_out_of_stock" BOOLEAN NOT NULL DEFAULT false,
    "first_stuck_at" DATETIME,
    "updated_at" DATETIME NOT NULL
);
INSERT INTO "new_order" ("delivery_type", "entities", "event_count", "first_event_at", "gaps", "last_event_at", "order_uid", "patient_key", "pharmacy_name", "pharmacy_uid", "reached_stage", "shop_order_name", "stage", "stage_since", "status", "stuck_at", "updated_at") SELECT "delivery_type", "entities", "event_count", "first_event_at", "gaps", "last_event_at", "order_uid", "patient_key", "pharmacy_name", "pharmacy_uid", "reached_stage", "shop_order_name", "stage", "stage_since", "status", "stuck_at", "updated_at" FROM "order";
DROP TABLE "order";
ALTER TABLE "new_order" RENAME TO "order";
CREATE INDEX "order_last_event_at_idx" ON "order"("last_event_at");
CREATE INDEX "order_stage_last_event_at_covering_idx" ON "order"("stage", "last_event_at", "order_uid", "stuck_at", "pharmacy_name", "pharmacy_uid");
CREATE INDEX "order_stuck_at_idx" ON "order"("stuck_at");
CREATE INDEX "order_pharmacy_name_idx" ON "order"("pharmacy_name");
CREATE INDEX "order_status_last_event_at_order_uid_stage_stuck_at_idx" ON "order"("status", "last_event_at", "order_uid", "stage", "stuck_at");
CREATE INDEX "order_shop_order_name_idx" ON "order"("shop_order_name");
CREATE INDEX "order_patient_key_idx" ON "order"("patient_key");
CREATE INDEX "order_insights_idx" ON "order"("first_event_at", "pharmacy_name", "stage", "furthest_stage", "went_out_of_stock", "to_ship_seconds", "first_stuck_at", "stuck_at");
CREATE INDEX "order_stage_seconds_idx" ON "order"("first_event_at", "pharmacy_name", "ordered_seconds", "prescription_approved_seconds", "prescription_signed_seconds", "sent_to_pharmacy_seconds", "in_pharmacy_seconds", "shipped_seconds");
CREATE INDEX "order_first_stuck_at_pharmacy_name_stuck_at_idx" ON "order"("first_stuck_at", "pharmacy_name", "stuck_at");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

