-- AlterTable
ALTER TABLE "replay_item" DROP CONSTRAINT "replay_item_pkey",
ADD COLUMN     "id" SERIAL NOT NULL,
ADD CONSTRAINT "replay_item_pkey" PRIMARY KEY ("id");

-- CreateIndex
CREATE UNIQUE INDEX "replay_item_job_id_position_key" ON "replay_item"("job_id", "position");

