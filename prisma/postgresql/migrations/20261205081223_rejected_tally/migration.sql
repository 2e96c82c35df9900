-- CreateTable
CREATE TABLE "rejected_tally" (
    "source_address" TEXT NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "requests" INTEGER NOT NULL,
    "bytes" BIGINT NOT NULL,
    "dropped_requests" INTEGER NOT NULL,
    "dropped_bytes" BIGINT NOT NULL,

    CONSTRAINT "rejected_tally_pkey" PRIMARY KEY ("source_address","minute")
);

-- CreateIndex
CREATE INDEX "rejected_tally_minute_idx" ON "rejected_tally"("minute");

