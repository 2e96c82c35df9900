-- CreateTable
CREATE TABLE "insights_order_count" (
    "day" INTEGER NOT NULL,
    "pharmacy_name" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "furthest_stage" TEXT NOT NULL,
    "went_out_of_stock" BOOLEAN NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "insights_order_count_pkey" PRIMARY KEY ("day","pharmacy_name","stage","furthest_stage","went_out_of_stock")
);

-- CreateTable
CREATE TABLE "insights_duration_count" (
    "day" INTEGER NOT NULL,
    "pharmacy_name" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "bucket_0" INTEGER NOT NULL DEFAULT 0,
    "bucket_1" INTEGER NOT NULL DEFAULT 0,
    "bucket_2" INTEGER NOT NULL DEFAULT 0,
    "bucket_3" INTEGER NOT NULL DEFAULT 0,
    "bucket_4" INTEGER NOT NULL DEFAULT 0,
    "bucket_5" INTEGER NOT NULL DEFAULT 0,
    "bucket_6" INTEGER NOT NULL DEFAULT 0,
    "bucket_7" INTEGER NOT NULL DEFAULT 0,
    "bucket_8" INTEGER NOT NULL DEFAULT 0,
    "bucket_9" INTEGER NOT NULL DEFAULT 0,
    "bucket_10" INTEGER NOT NULL DEFAULT 0,
    "bucket_11" INTEGER NOT NULL DEFAULT 0,
    "bucket_12" INTEGER NOT NULL DEFAULT 0,
    "bucket_13" INTEGER NOT NULL DEFAULT 0,
    "bucket_14" INTEGER NOT NULL DEFAULT 0,
    "bucket_15" INTEGER NOT NULL DEFAULT 0,
    "bucket_16" INTEGER NOT NULL DEFAULT 0,
    "bucket_17" INTEGER NOT NULL DEFAULT 0,
    "bucket_18" INTEGER NOT NULL DEFAULT 0,
    "bucket_19" INTEGER NOT NULL DEFAULT 0,
    "bucket_20" INTEGER NOT NULL DEFAULT 0,
    "bucket_21" INTEGER NOT NULL DEFAULT 0,
    "bucket_22" INTEGER NOT NULL DEFAULT 0,
    "bucket_23" INTEGER NOT NULL DEFAULT 0,
    "bucket_24" INTEGER NOT NULL DEFAULT 0,
    "bucket_25" INTEGER NOT NULL DEFAULT 0,
    "bucket_26" INTEGER NOT NULL DEFAULT 0,
    "bucket_27" INTEGER NOT NULL DEFAULT 0,
    "bucket_28" INTEGER NOT NULL DEFAULT 0,
    "bucket_29" INTEGER NOT NULL DEFAULT 0,
    "bucket_30" INTEGER NOT NULL DEFAULT 0,
    "bucket_31" INTEGER NOT NULL DEFAULT 0,
    "bucket_32" INTEGER NOT NULL DEFAULT 0,
    "bucket_33" INTEGER NOT NULL DEFAULT 0,
    "bucket_34" INTEGER NOT NULL DEFAULT 0,
    "bucket_35" INTEGER NOT NULL DEFAULT 0,
    "bucket_36" INTEGER NOT NULL DEFAULT 0,
    "bucket_37" INTEGER NOT NULL DEFAULT 0,
    "bucket_38" INTEGER NOT NULL DEFAULT 0,
    "bucket_39" INTEGER NOT NULL DEFAULT 0,
    "bucket_40" INTEGER NOT NULL DEFAULT 0,
    "bucket_41" INTEGER NOT NULL DEFAULT 0,
    "bucket_42" INTEGER NOT NULL DEFAULT 0,
    "bucket_43" INTEGER NOT NULL DEFAULT 0,
    "bucket_44" INTEGER NOT NULL DEFAULT 0,
    "bucket_45" INTEGER NOT NULL DEFAULT 0,
    "bucket_46" INTEGER NOT NULL DEFAULT 0,
    "bucket_47" INTEGER NOT NULL DEFAULT 0,
    "bucket_48" INTEGER NOT NULL DEFAULT 0,
    "bucket_49" INTEGER NOT NULL DEFAULT 0,
    "bucket_50" INTEGER NOT NULL DEFAULT 0,
    "bucket_51" INTEGER NOT NULL DEFAULT 0,
    "bucket_52" INTEGER NOT NULL DEFAULT 0,
    "bucket_53" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "insights_duration_count_pkey" PRIMARY KEY ("day","pharmacy_name","measure")
);

-- CreateIndex
CREATE INDEX "insights_order_count_pharmacy_name_day_idx" ON "insights_order_count"("pharmacy_name", "day");

-- CreateIndex
CREATE INDEX "insights_duration_count_pharmacy_name_day_idx" ON "insights_duration_count"("pharmacy_name", "day");


-- Insights summary (docs/insights.md#summary-tables): the statement triggers below keep both tables equal to what
-- the "order" rows say, whoever writes them (projector, re-processing, reconciliation fills, retention purge,
-- forget-patient), in the same transaction. width_bucket over DURATION_BUCKET_BOUNDS_S (lib/insights.ts) gives
-- the index of the first bound above a duration, like SQLite's CASE.
INSERT INTO "insights_order_count" ("day", "pharmacy_name", "stage", "furthest_stage", "went_out_of_stock", "count")
SELECT FLOOR(EXTRACT(EPOCH FROM "first_event_at") / 86400)::integer, COALESCE("pharmacy_name", ''), "stage", COALESCE("furthest_stage", ''), "went_out_of_stock", COUNT(*)
FROM "order" GROUP BY 1, 2, 3, 4, 5;

INSERT INTO "insights_duration_count" ("day", "pharmacy_name", "measure", "bucket_0", "bucket_1", "bucket_2", "bucket_3", "bucket_4", "bucket_5", "bucket_6", "bucket_7", "bucket_8", "bucket_9", "bucket_10", "bucket_11", "bucket_12", "bucket_13", "bucket_14", "bucket_15", "bucket_16", "bucket_17", "bucket_18", "bucket_19", "bucket_20", "bucket_21", "bucket_22", "bucket_23", "bucket_24", "bucket_25", "bucket_26", "bucket_27", "bucket_28", "bucket_29", "bucket_30", "bucket_31", "bucket_32", "bucket_33", "bucket_34", "bucket_35", "bucket_36", "bucket_37", "bucket_38", "bucket_39", "bucket_40", "bucket_41", "bucket_42", "bucket_43", "bucket_44", "bucket_45", "bucket_46", "bucket_47", "bucket_48", "bucket_49", "bucket_50", "bucket_51", "bucket_52", "bucket_53")
SELECT "day", "pharmacy_name", "measure", SUM(CASE WHEN "bucket" = 0 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 1 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 2 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 3 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 4 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 5 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 6 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 7 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 8 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 9 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 10 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 11 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 12 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 13 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 14 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 15 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 16 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 17 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 18 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 19 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 20 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 21 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 22 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 23 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 24 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 25 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 26 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 27 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 28 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 29 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 30 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 31 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 32 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 33 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 34 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 35 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 36 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 37 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 38 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 39 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 40 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 41 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 42 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 43 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 44 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 45 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 46 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 47 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 48 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 49 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 50 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 51 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 52 THEN 1 ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 53 THEN 1 ELSE 0 END)::integer FROM (
  SELECT FLOOR(EXTRACT(EPOCH FROM "first_event_at") / 86400)::integer AS "day", COALESCE("pharmacy_name", '') AS "pharmacy_name", "measure", width_bucket("seconds", ARRAY[60, 75, 94, 117, 146, 183, 229, 286, 358, 447, 559, 698, 873, 1091, 1364, 1705, 2132, 2665, 3331, 4163, 5204, 6505, 8132, 10164, 12705, 15882, 19852, 24815, 31019, 38774, 48468, 60585, 75731, 94663, 118329, 147911, 184889, 231112, 288889, 361112, 451390, 564237, 705297, 881621, 1102026, 1377532, 1721916, 2152394, 2690493, 3363116, 4203895, 5254869, 6568587]) AS "bucket"
  FROM "order" CROSS JOIN LATERAL (VALUES ('ordered', "ordered_seconds"), ('prescription_approved', "prescription_approved_seconds"), ('prescription_signed', "prescription_signed_seconds"), ('sent_to_pharmacy', "sent_to_pharmacy_seconds"), ('in_pharmacy', "in_pharmacy_seconds"), ('shipped', "shipped_seconds"), ('to_ship', "to_ship_seconds")) AS "measures" ("measure", "seconds") WHERE "seconds" IS NOT NULL
) AS "durations" GROUP BY 1, 2, 3;

-- Applies one statement's net change per key: an order rewritten with the same values changes nothing, and keys
-- are written in key order so concurrent writers take the summary rows' locks in the same order. The transition
-- tables differ per operation, hence the statement is put together here.
CREATE FUNCTION "order_insights_count"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT *, 1 AS "sign" FROM "new_orders"'
    WHEN 'DELETE' THEN 'SELECT *, -1 AS "sign" FROM "old_orders"'
    ELSE 'SELECT *, 1 AS "sign" FROM "new_orders" UNION ALL SELECT *, -1 AS "sign" FROM "old_orders"' END;
BEGIN
  EXECUTE format($sql$
    WITH "changed" AS (%s),
    "order_counts" AS (
      SELECT FLOOR(EXTRACT(EPOCH FROM "first_event_at") / 86400)::integer AS "day", COALESCE("pharmacy_name", '') AS "pharmacy_name", "stage", COALESCE("furthest_stage", '') AS "furthest_stage", "went_out_of_stock", SUM("sign")::integer AS "count"
      FROM "changed" GROUP BY 1, 2, 3, 4, 5 HAVING SUM("sign") <> 0
    ),
    "order_upsert" AS (
      INSERT INTO "insights_order_count" ("day", "pharmacy_name", "stage", "furthest_stage", "went_out_of_stock", "count")
      SELECT * FROM "order_counts" ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT ("day", "pharmacy_name", "stage", "furthest_stage", "went_out_of_stock") DO UPDATE SET "count" = "insights_order_count"."count" + "excluded"."count"
    ),
    "durations" AS (
      SELECT FLOOR(EXTRACT(EPOCH FROM "first_event_at") / 86400)::integer AS "day", COALESCE("pharmacy_name", '') AS "pharmacy_name", "measure", width_bucket("seconds", ARRAY[60, 75, 94, 117, 146, 183, 229, 286, 358, 447, 559, 698, 873, 1091, 1364, 1705, 2132, 2665, 3331, 4163, 5204, 6505, 8132, 10164, 12705, 15882, 19852, 24815, 31019, 38774, 48468, 60585, 75731, 94663, 118329, 147911, 184889, 231112, 288889, 361112, 451390, 564237, 705297, 881621, 1102026, 1377532, 1721916, 2152394, 2690493, 3363116, 4203895, 5254869, 6568587]) AS "bucket", SUM("sign")::integer AS "delta"
      FROM "changed" CROSS JOIN LATERAL (VALUES ('ordered', "ordered_seconds"), ('prescription_approved', "prescription_approved_seconds"), ('prescription_signed', "prescription_signed_seconds"), ('sent_to_pharmacy', "sent_to_pharmacy_seconds"), ('in_pharmacy', "in_pharmacy_seconds"), ('shipped', "shipped_seconds"), ('to_ship', "to_ship_seconds")) AS "measures" ("measure", "seconds")
      WHERE "seconds" IS NOT NULL GROUP BY 1, 2, 3, 4 HAVING SUM("sign") <> 0
    )
    INSERT INTO "insights_duration_count" ("day", "pharmacy_name", "measure", "bucket_0", "bucket_1", "bucket_2", "bucket_3", "bucket_4", "bucket_5", "bucket_6", "bucket_7", "bucket_8", "bucket_9", "bucket_10", "bucket_11", "bucket_12", "bucket_13", "bucket_14", "bucket_15", "bucket_16", "bucket_17", "bucket_18", "bucket_19", "bucket_20", "bucket_21", "bucket_22", "bucket_23", "bucket_24", "bucket_25", "bucket_26", "bucket_27", "bucket_28", "bucket_29", "bucket_30", "bucket_31", "bucket_32", "bucket_33", "bucket_34", "bucket_35", "bucket_36", "bucket_37", "bucket_38", "bucket_39", "bucket_40", "bucket_41", "bucket_42", "bucket_43", "bucket_44", "bucket_45", "bucket_46", "bucket_47", "bucket_48", "bucket_49", "bucket_50", "bucket_51", "bucket_52", "bucket_53")
    SELECT "day", "pharmacy_name", "measure", SUM(CASE WHEN "bucket" = 0 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 1 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 2 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 3 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 4 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 5 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 6 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 7 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 8 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 9 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 10 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 11 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 12 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 13 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 14 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 15 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 16 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 17 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 18 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 19 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 20 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 21 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 22 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 23 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 24 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 25 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 26 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 27 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 28 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 29 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 30 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 31 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 32 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 33 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 34 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 35 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 36 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 37 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 38 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 39 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 40 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 41 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 42 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 43 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 44 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 45 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 46 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 47 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 48 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 49 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 50 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 51 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 52 THEN "delta" ELSE 0 END)::integer, SUM(CASE WHEN "bucket" = 53 THEN "delta" ELSE 0 END)::integer FROM "durations" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT ("day", "pharmacy_name", "measure") DO UPDATE SET "bucket_0" = "insights_duration_count"."bucket_0" + "excluded"."bucket_0", "bucket_1" = "insights_duration_count"."bucket_1" + "excluded"."bucket_1", "bucket_2" = "insights_duration_count"."bucket_2" + "excluded"."bucket_2", "bucket_3" = "insights_duration_count"."bucket_3" + "excluded"."bucket_3", "bucket_4" = "insights_duration_count"."bucket_4" + "excluded"."bucket_4", "bucket_5" = "insights_duration_count"."bucket_5" + "excluded"."bucket_5", "bucket_6" = "insights_duration_count"."bucket_6" + "excluded"."bucket_6", "bucket_7" = "insights_duration_count"."bucket_7" + "excluded"."bucket_7", "bucket_8" = "insights_duration_count"."bucket_8" + "excluded"."bucket_8", "bucket_9" = "insights_duration_count"."bucket_9" + "excluded"."bucket_9", "bucket_10" = "insights_duration_count"."bucket_10" + "excluded"."bucket_10", "bucket_11" = "insights_duration_count"."bucket_11" + "excluded"."bucket_11", "bucket_12" = "insights_duration_count"."bucket_12" + "excluded"."bucket_12", "bucket_13" = "insights_duration_count"."bucket_13" + "excluded"."bucket_13", "bucket_14" = "insights_duration_count"."bucket_14" + "excluded"."bucket_14", "bucket_15" = "insights_duration_count"."bucket_15" + "excluded"."bucket_15", "bucket_16" = "insights_duration_count"."bucket_16" + "excluded"."bucket_16", "bucket_17" = "insights_duration_count"."bucket_17" + "excluded"."bucket_17", "bucket_18" = "insights_duration_count"."bucket_18" + "excluded"."bucket_18", "bucket_19" = "insights_duration_count"."bucket_19" + "excluded"."bucket_19", "bucket_20" = "insights_duration_count"."bucket_20" + "excluded"."bucket_20", "bucket_21" = "insights_duration_count"."bucket_21" + "excluded"."bucket_21", "bucket_22" = "insights_duration_count"."bucket_22" + "excluded"."bucket_22", "bucket_23" = "insights_duration_count"."bucket_23" + "excluded"."bucket_23", "bucket_24" = "insights_duration_count"."bucket_24" + "excluded"."bucket_24", "bucket_25" = "insights_duration_count"."bucket_25" + "excluded"."bucket_25", "bucket_26" = "insights_duration_count"."bucket_26" + "excluded"."bucket_26", "bucket_27" = "insights_duration_count"."bucket_27" + "excluded"."bucket_27", "bucket_28" = "insights_duration_count"."bucket_28" + "excluded"."bucket_28", "bucket_29" = "insights_duration_count"."bucket_29" + "excluded"."bucket_29", "bucket_30" = "insights_duration_count"."bucket_30" + "excluded"."bucket_30", "bucket_31" = "insights_duration_count"."bucket_31" + "excluded"."bucket_31", "bucket_32" = "insights_duration_count"."bucket_32" + "excluded"."bucket_32", "bucket_33" = "insights_duration_count"."bucket_33" + "excluded"."bucket_33", "bucket_34" = "insights_duration_count"."bucket_34" + "excluded"."bucket_34", "bucket_35" = "insights_duration_count"."bucket_35" + "excluded"."bucket_35", "bucket_36" = "insights_duration_count"."bucket_36" + "excluded"."bucket_36", "bucket_37" = "insights_duration_count"."bucket_37" + "excluded"."bucket_37", "bucket_38" = "insights_duration_count"."bucket_38" + "excluded"."bucket_38", "bucket_39" = "insights_duration_count"."bucket_39" + "excluded"."bucket_39", "bucket_40" = "insights_duration_count"."bucket_40" + "excluded"."bucket_40", "bucket_41" = "insights_duration_count"."bucket_41" + "excluded"."bucket_41", "bucket_42" = "insights_duration_count"."bucket_42" + "excluded"."bucket_42", "bucket_43" = "insights_duration_count"."bucket_43" + "excluded"."bucket_43", "bucket_44" = "insights_duration_count"."bucket_44" + "excluded"."bucket_44", "bucket_45" = "insights_duration_count"."bucket_45" + "excluded"."bucket_45", "bucket_46" = "insights_duration_count"."bucket_46" + "excluded"."bucket_46", "bucket_47" = "insights_duration_count"."bucket_47" + "excluded"."bucket_47", "bucket_48" = "insights_duration_count"."bucket_48" + "excluded"."bucket_48", "bucket_49" = "insights_duration_count"."bucket_49" + "excluded"."bucket_49", "bucket_50" = "insights_duration_count"."bucket_50" + "excluded"."bucket_50", "bucket_51" = "insights_duration_count"."bucket_51" + "excluded"."bucket_51", "bucket_52" = "insights_duration_count"."bucket_52" + "excluded"."bucket_52", "bucket_53" = "insights_duration_count"."bucket_53" + "excluded"."bucket_53"
  $sql$, changed);
  IF TG_OP <> 'INSERT' THEN
    -- Keys no order counts any more, on the days this statement touched.
    EXECUTE format('DELETE FROM "insights_order_count" WHERE "count" = 0 AND "day" IN (SELECT FLOOR(EXTRACT(EPOCH FROM "first_event_at") / 86400)::integer FROM (%s) AS "changed")', changed);
    EXECUTE format('DELETE FROM "insights_duration_count" WHERE "bucket_0" + "bucket_1" + "bucket_2" + "bucket_3" + "bucket_4" + "bucket_5" + "bucket_6" + "bucket_7" + "bucket_8" + "bucket_9" + "bucket_10" + "bucket_11" + "bucket_12" + "bucket_13" + "bucket_14" + "bucket_15" + "bucket_16" + "bucket_17" + "bucket_18" + "bucket_19" + "bucket_20" + "bucket_21" + "bucket_22" + "bucket_23" + "bucket_24" + "bucket_25" + "bucket_26" + "bucket_27" + "bucket_28" + "bucket_29" + "bucket_30" + "bucket_31" + "bucket_32" + "bucket_33" + "bucket_34" + "bucket_35" + "bucket_36" + "bucket_37" + "bucket_38" + "bucket_39" + "bucket_40" + "bucket_41" + "bucket_42" + "bucket_43" + "bucket_44" + "bucket_45" + "bucket_46" + "bucket_47" + "bucket_48" + "bucket_49" + "bucket_50" + "bucket_51" + "bucket_52" + "bucket_53" = 0 AND "day" IN (SELECT FLOOR(EXTRACT(EPOCH FROM "first_event_at") / 86400)::integer FROM (%s) AS "changed")', changed);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "order_insights_insert" AFTER INSERT ON "order" REFERENCING NEW TABLE AS "new_orders"
FOR EACH STATEMENT EXECUTE FUNCTION "order_insights_count"();
CREATE TRIGGER "order_insights_update" AFTER UPDATE ON "order" REFERENCING OLD TABLE AS "old_orders" NEW TABLE AS "new_orders"
FOR EACH STATEMENT EXECUTE FUNCTION "order_insights_count"();
CREATE TRIGGER "order_insights_delete" AFTER DELETE ON "order" REFERENCING OLD TABLE AS "old_orders"
FOR EACH STATEMENT EXECUTE FUNCTION "order_insights_count"();
