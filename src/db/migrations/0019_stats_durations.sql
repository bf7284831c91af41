CREATE TABLE "stats_durations" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"metric" smallint NOT NULL,
	"counts" integer[] NOT NULL,
	CONSTRAINT "stats_durations_kind_key_day_metric_pk" PRIMARY KEY("kind","key","day","metric")
);
--> statement-breakpoint
-- hand-written: the trigger that keeps stats_durations from ticket_cycles, then the histograms of the cycles there are.
-- A duration of s seconds falls in bucket 1 + floor(ln(s) / ln(1.2)) (1 below 1.2 s, at most 100: 1.2^99 s is over two years), mirrored by stats/histogram.ts. Each change takes the old row's durations out and puts the new row's in, once per kind as stats_hourly does; each statement touches a (kind, key, day, metric) row at most once, in key order.
CREATE FUNCTION "stats_duration_bucket"(seconds double precision) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT least(100, 1 + floor(ln(greatest(seconds, 1)) / ln(1.2))::int)
$$;--> statement-breakpoint
CREATE FUNCTION "stats_duration_events"(c "ticket_cycles")
RETURNS TABLE ("kind" text, "key" text, "day" timestamptz, "metric" smallint, "bucket" integer)
LANGUAGE sql STABLE AS $$
  SELECT k.kind, k.key, e.day, e.metric::smallint, e.bucket
  FROM (VALUES ('all', ''), ('category', c.category_id::text), ('priority', c.priority::text),
               ('assignee', coalesce(c.assigned_to::text, 'none')), ('channel', c.channel)) k(kind, key)
  CROSS JOIN (
    SELECT date_trunc('day', c.first_response_at, 'UTC') AS day, 0 AS metric,
           "stats_duration_bucket"(extract(epoch from c.first_response_at - c.started_at)) AS bucket
      WHERE c.first_response_at IS NOT NULL
    UNION ALL SELECT date_trunc('day', c.first_response_at, 'UTC'), 1, "stats_duration_bucket"(c.first_response_support_s)
      WHERE c.first_response_at IS NOT NULL AND c.first_response_support_s IS NOT NULL
    UNION ALL SELECT date_trunc('day', c.ended_at, 'UTC'), 2, "stats_duration_bucket"(extract(epoch from c.ended_at - c.started_at))
      WHERE c.ended_at IS NOT NULL
    UNION ALL SELECT date_trunc('day', c.ended_at, 'UTC'), 3, "stats_duration_bucket"(c.resolution_support_s)
      WHERE c.ended_at IS NOT NULL AND c.resolution_support_s IS NOT NULL
  ) e
$$;--> statement-breakpoint
CREATE FUNCTION "stats_durations_apply"(c "ticket_cycles", sign integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO "stats_durations" AS s ("kind", "key", "day", "metric", "counts")
  SELECT e.kind, e.key, e.day, e.metric,
         (SELECT array_agg(CASE WHEN i = e.bucket THEN sign ELSE 0 END ORDER BY i) FROM generate_series(1, 100) i)
  FROM "stats_duration_events"(c) e
  ORDER BY e.kind, e.key, e.day, e.metric
  ON CONFLICT ("kind", "key", "day", "metric") DO UPDATE SET "counts" =
    (SELECT array_agg(a + b ORDER BY i) FROM unnest(s."counts", excluded."counts") WITH ORDINALITY u(a, b, i))
$$;--> statement-breakpoint
CREATE FUNCTION "stats_durations_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.started_at, OLD.ended_at, OLD.first_response_at,
      OLD.first_response_support_s, OLD.resolution_support_s, OLD.category_id, OLD.priority,
      OLD.assigned_to, OLD.channel)
      IS NOT DISTINCT FROM (NEW.started_at, NEW.ended_at, NEW.first_response_at,
      NEW.first_response_support_s, NEW.resolution_support_s, NEW.category_id, NEW.priority,
      NEW.assigned_to, NEW.channel) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN PERFORM "stats_durations_apply"(OLD, -1); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM "stats_durations_apply"(NEW, 1); END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "stats_durations_follow" AFTER INSERT OR DELETE OR UPDATE ON "ticket_cycles"
  FOR EACH ROW EXECUTE FUNCTION "stats_durations_follow"();--> statement-breakpoint
-- No change may slip between the histograms and the trigger of a server still running the old code.
LOCK TABLE "ticket_cycles" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
INSERT INTO "stats_durations" ("kind", "key", "day", "metric", "counts")
  SELECT b.kind, b.key, b.day, b.metric,
         (SELECT array_agg(coalesce((b.per ->> i::text)::int, 0) ORDER BY i) FROM generate_series(1, 100) i)
  FROM (
    SELECT x.kind, x.key, x.day, x.metric, jsonb_object_agg(x.bucket, x.n) AS per
    FROM (
      SELECT e.kind, e.key, e.day, e.metric, e.bucket, count(*) AS n
      FROM "ticket_cycles" c, LATERAL "stats_duration_events"(c) e
      GROUP BY 1, 2, 3, 4, 5
    ) x
    GROUP BY 1, 2, 3, 4
  ) b;
