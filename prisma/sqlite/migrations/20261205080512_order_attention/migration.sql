-- CreateTable
CREATE TABLE "order_attention" (
    "order_uid" TEXT NOT NULL PRIMARY KEY,
    "owner_id" TEXT,
    "owner_label" TEXT,
    "claimed_at" DATETIME,
    "note" TEXT,
    "noted_by" TEXT,
    "noted_at" DATETIME,
    "snoozed_until" DATETIME,
    "resolved_at" DATETIME,
    "resolved_by" TEXT,
    "resolved_status" TEXT,
    "resolved_stage_since" DATETIME,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "order_attention_order_uid_fkey" FOREIGN KEY ("order_uid") REFERENCES "order" ("order_uid") ON DELETE CASCADE ON UPDATE CASCADE
);

