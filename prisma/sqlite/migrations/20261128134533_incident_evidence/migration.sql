-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_incident" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "first_seen_at" DATETIME NOT NULL,
    "last_seen_at" DATETIME NOT NULL,
    "count" INTEGER NOT NULL,
    "opened_at" DATETIME NOT NULL,
    "acknowledged_at" DATETIME,
    "acknowledged_by_id" TEXT,
    "acknowledged_by_name" TEXT,
    "resolved_at" DATETIME,
    "resolved_by_id" TEXT,
    "resolved_by_name" TEXT,
    "evidence" TEXT NOT NULL DEFAULT '{}',
    "updated_at" DATETIME NOT NULL
);
INSERT INTO "new_incident" ("acknowledged_at", "acknowledged_by_id", "acknowledged_by_name", "count", "first_seen_at", "key", "kind", "last_seen_at", "opened_at", "resolved_at", "resolved_by_id", "resolved_by_name", "state", "updated_at") SELECT "acknowledged_at", "acknowledged_by_id", "acknowledged_by_name", "count", "first_seen_at", "key", "kind", "last_seen_at", "opened_at", "resolved_at", "resolved_by_id", "resolved_by_name", "state", "updated_at" FROM "incident";
DROP TABLE "incident";
ALTER TABLE "new_incident" RENAME TO "incident";
CREATE INDEX "incident_state_last_seen_at_idx" ON "incident"("state", "last_seen_at");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

