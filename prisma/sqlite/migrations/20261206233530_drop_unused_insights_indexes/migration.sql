-- DropIndex
DROP INDEX "order_insights_idx";

-- DropIndex
DROP INDEX "order_stage_seconds_idx";

