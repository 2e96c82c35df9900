-- CreateTable
CREATE TABLE "payload_shape" (
    "event_type" TEXT NOT NULL,
    "payload_version" TEXT NOT NULL,
    "deliveries" INTEGER NOT NULL DEFAULT 0,
    "first_seen_at" DATETIME NOT NULL,
    "last_seen_at" DATETIME NOT NULL,

    PRIMARY KEY ("event_type", "payload_version")
);

-- CreateTable
CREATE TABLE "payload_shape_entry" (
    "event_type" TEXT NOT NULL,
    "payload_version" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "types" TEXT NOT NULL DEFAULT '[]',
    "count" INTEGER NOT NULL DEFAULT 0,
    "missed_in_a_row" INTEGER NOT NULL DEFAULT 0,
    "first_seen_at" DATETIME NOT NULL,
    "last_seen_at" DATETIME NOT NULL,

    PRIMARY KEY ("event_type", "payload_version", "kind", "name")
);

