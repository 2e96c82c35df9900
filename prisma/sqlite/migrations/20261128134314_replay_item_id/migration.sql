-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_replay_item" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "job_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "event_id" TEXT NOT NULL,
    "queued_at" DATETIME,
    CONSTRAINT "replay_item_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "replay_job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_replay_item" ("event_id", "job_id", "position", "queued_at") SELECT "event_id", "job_id", "position", "queued_at" FROM "replay_item";
DROP TABLE "replay_item";
ALTER TABLE "new_replay_item" RENAME TO "replay_item";
CREATE UNIQUE INDEX "replay_item_job_id_position_key" ON "replay_item"("job_id", "position");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

