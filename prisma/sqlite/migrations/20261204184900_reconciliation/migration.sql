-- AlterTable
ALTER TABLE "order_fact" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'webhook';

-- CreateTable
CREATE TABLE "reconciliation_run" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "trigger" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "started_at" DATETIME NOT NULL,
    "finished_at" DATETIME,
    "since" DATETIME NOT NULL,
    "until" DATETIME NOT NULL,
    "checked" INTEGER NOT NULL DEFAULT 0,
    "in_sync" INTEGER NOT NULL DEFAULT 0,
    "missing" INTEGER NOT NULL DEFAULT 0,
    "behind" INTEGER NOT NULL DEFAULT 0,
    "unknown_to_rxscale" INTEGER NOT NULL DEFAULT 0,
    "filled" INTEGER NOT NULL DEFAULT 0,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "actor_id" TEXT,
    "error" TEXT
);

-- CreateTable
CREATE TABLE "reconciliation_difference" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "run_id" TEXT NOT NULL,
    "order_uid" TEXT NOT NULL,
    "class" TEXT NOT NULL,
    "entities" TEXT NOT NULL DEFAULT '[]',
    "likely_cause" TEXT NOT NULL,
    "is_filled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "reconciliation_run_started_at_idx" ON "reconciliation_run"("started_at");

-- CreateIndex
CREATE INDEX "reconciliation_difference_run_id_idx" ON "reconciliation_difference"("run_id");

-- CreateIndex
CREATE INDEX "reconciliation_difference_order_uid_idx" ON "reconciliation_difference"("order_uid");
