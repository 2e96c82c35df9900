-- CreateTable
CREATE TABLE "order_attention" (
    "order_uid" TEXT NOT NULL,
    "owner_id" TEXT,
    "owner_label" TEXT,
    "claimed_at" TIMESTAMP(3),
    "note" TEXT,
    "noted_by" TEXT,
    "noted_at" TIMESTAMP(3),
    "snoozed_until" TIMESTAMP(3),
    "resolved_at" TIMESTAMP(3),
    "resolved_by" TEXT,
    "resolved_status" TEXT,
    "resolved_stage_since" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "order_attention_pkey" PRIMARY KEY ("order_uid")
);

-- AddForeignKey
ALTER TABLE "order_attention" ADD CONSTRAINT "order_attention_order_uid_fkey" FOREIGN KEY ("order_uid") REFERENCES "order"("order_uid") ON DELETE CASCADE ON UPDATE CASCADE;

