-- CreateTable
CREATE TABLE "payload_shape" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "event_type" TEXT NOT NULL,
    "payload_version" TEXT NOT NULL,
    "deliveries" INTEGER NOT NULL DEFAULT 0,
    "first_seen_at" DATETIME NOT NULL,
    "last_seen_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "payload_shape_entry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "event_type" TEXT NOT NULL,
    "payload_version" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "types" TEXT NOT NULL DEFAULT '[]',
    "count" INTEGER NOT NULL DEFAULT 0,
    "missed_in_a_row" INTEGER NOT NULL DEFAULT 0,
    "first_seen_at" DATETIME NOT NULL,
    "last_seen_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "payload_shape_event_type_payload_version_key" ON "payload_shape"("event_type", "payload_version");

-- CreateIndex
CREATE UNIQUE INDEX "payload_shape_entry_event_type_payload_version_kind_name_key" ON "payload_shape_entry"("event_type", "payload_version", "kind", "name");

