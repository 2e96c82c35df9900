-- CreateTable
CREATE TABLE "rejected_tally" (
    "source_address" TEXT NOT NULL,
    "minute" DATETIME NOT NULL,
    "requests" INTEGER NOT NULL,
    "bytes" BIGINT NOT NULL,
    "dropped_requests" INTEGER NOT NULL,
    "dropped_bytes" BIGINT NOT NULL,

    PRIMARY KEY ("source_address", "minute")
);

-- CreateIndex
CREATE INDEX "rejected_tally_minute_idx" ON "rejected_tally"("minute");

