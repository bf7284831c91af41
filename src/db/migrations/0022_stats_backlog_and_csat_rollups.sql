CREATE TABLE "stats_backlog_daily" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"change" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_backlog_daily_kind_key_day_pk" PRIMARY KEY("kind","key","day")
);
--> statement-breakpoint
CREATE TABLE "stats_csat_hourly" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"ratings" integer DEFAULT 0 NOT NULL,
	"score_sum" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_csat_hourly_kind_key_hour_pk" PRIMARY KEY("kind","key","hour")
);
--> statement-breakpoint
ALTER TABLE "ticket_ratings" ADD COLUMN "category_id" uuid;--> statement-breakpoint
ALTER TABLE "ticket_ratings" ADD COLUMN "priority" "ticket_priority";--> statement-breakpoint
ALTER TABLE "ticket_ratings" ADD COLUMN "assigned_to" uuid;--> statement-breakpoint
-- hand-written: the trigger that keeps stats_backlog_daily from ticket_cycles, then the daily backlog changes of the cycles there are.
-- Each cycle adds 1 on the UTC day it starts and takes 1 off on the day it ends, once per kind (all, category, priority, assignee, channel) as stats_hourly; each change takes the old row's out and puts the new row's in, in one statement whose rows are in key order.
CREATE FUNCTION "stats_backlog_events"(c "ticket_cycles", sign integer)
RETURNS TABLE ("kind" text, "key" text, "day" timestamptz, "change" integer)
LANGUAGE sql STABLE AS $$
  SELECT k.kind, k.key, e.day, sum(e.change)::int * sign
  FROM (VALUES ('all', ''), ('category', c.category_id::text), ('priority', c.priority::text),
               ('assignee', coalesce(c.assigned_to::text, 'none')), ('channel', c.channel)) k(kind, key)
  CROSS JOIN (
    SELECT date_trunc('day', c.started_at, 'UTC') AS day, 1 AS change
    UNION ALL SELECT date_trunc('day', c.ended_at, 'UTC'), -1 WHERE c.ended_at IS NOT NULL
  ) e
  GROUP BY k.kind, k.key, e.day
$$;--> statement-breakpoint
CREATE FUNCTION "stats_backlog_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.started_at, OLD.ended_at, OLD.category_id, OLD.priority,
      OLD.assigned_to, OLD.channel)
      IS NOT DISTINCT FROM (NEW.started_at, NEW.ended_at, NEW.category_id, NEW.priority,
      NEW.assigned_to, NEW.channel) THEN
    RETURN NULL;
  END IF;
  INSERT INTO "stats_backlog_daily" AS s ("kind", "key", "day", "change")
  SELECT e.kind, e.key, e.day, sum(e.change)
  FROM (
    SELECT * FROM "stats_backlog_events"(OLD, -1) WHERE TG_OP <> 'INSERT'
    UNION ALL
    SELECT * FROM "stats_backlog_events"(NEW, 1) WHERE TG_OP <> 'DELETE'
  ) e
  GROUP BY e.kind, e.key, e.day
  ORDER BY e.kind, e.key, e.day
  ON CONFLICT ("kind", "key", "day") DO UPDATE SET "change" = s."change" + excluded."change";
  RETURN NULL;
END $$;--> statement-breakpoint
-- No change may slip between the rollup and the trigger of a server still running the old code.
LOCK TABLE "ticket_cycles" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
CREATE TRIGGER "stats_backlog_follow" AFTER INSERT OR DELETE OR UPDATE ON "ticket_cycles"
  FOR EACH ROW EXECUTE FUNCTION "stats_backlog_follow"();--> statement-breakpoint
-- stats_hourly (kept by 0018's trigger) already holds every start (created + reopened) and end (resolved) per hour: summing its hours per day is far quicker than reading the cycles again.
INSERT INTO "stats_backlog_daily" ("kind", "key", "day", "change")
  SELECT s.kind, s.key, date_trunc('day', s.hour, 'UTC'), sum(s.created + s.reopened - s.resolved)
  FROM "stats_hourly" s
  GROUP BY 1, 2, 3;--> statement-breakpoint
-- hand-written: the ticket's category, priority and assignee copied onto its ratings, the trigger that keeps stats_csat_hourly from ticket_ratings, then the CSAT rollup of the ratings there are.
-- A rating takes its ticket's dimensions when written; a ticket whose category, priority or assignee changes (also when its assignee's account is deleted: the foreign key sets it null) passes them on to its ratings, which moves them in the rollup.
CREATE FUNCTION "ticket_ratings_take_dims"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT t.category_id, t.priority, t.assigned_to INTO NEW.category_id, NEW.priority, NEW.assigned_to
  FROM "tickets" t WHERE t.id = NEW.ticket_id;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE FUNCTION "ticket_ratings_follow_ticket"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "ticket_ratings" SET "category_id" = NEW.category_id, "priority" = NEW.priority,
    "assigned_to" = NEW.assigned_to
  WHERE "ticket_id" = NEW.id;
  RETURN NULL;
END $$;--> statement-breakpoint
-- The rating's events at the UTC hour it was given, once per kind (all, category, priority, assignee: the filters a CSAT answers); each change takes the old row's out and puts the new row's in, in key order.
CREATE FUNCTION "stats_csat_events"(r "ticket_ratings", sign integer)
RETURNS TABLE ("kind" text, "key" text, "hour" timestamptz, "ratings" integer, "score_sum" integer)
LANGUAGE sql STABLE AS $$
  SELECT k.kind, k.key, date_trunc('hour', r.created_at, 'UTC'), sign, r.score * sign
  FROM (VALUES ('all', ''), ('category', coalesce(r.category_id::text, 'none')),
               ('priority', coalesce(r.priority::text, 'none')),
               ('assignee', coalesce(r.assigned_to::text, 'none'))) k(kind, key)
$$;--> statement-breakpoint
CREATE FUNCTION "stats_csat_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.score, OLD.created_at, OLD.category_id, OLD.priority, OLD.assigned_to)
      IS NOT DISTINCT FROM (NEW.score, NEW.created_at, NEW.category_id, NEW.priority, NEW.assigned_to) THEN
    RETURN NULL;
  END IF;
  INSERT INTO "stats_csat_hourly" AS s ("kind", "key", "hour", "ratings", "score_sum")
  SELECT e.kind, e.key, e.hour, sum(e.ratings), sum(e.score_sum)
  FROM (
    SELECT * FROM "stats_csat_events"(OLD, -1) WHERE TG_OP <> 'INSERT'
    UNION ALL
    SELECT * FROM "stats_csat_events"(NEW, 1) WHERE TG_OP <> 'DELETE'
  ) e
  GROUP BY e.kind, e.key, e.hour
  ORDER BY e.kind, e.key, e.hour
  ON CONFLICT ("kind", "key", "hour") DO UPDATE SET
    "ratings" = s."ratings" + excluded."ratings", "score_sum" = s."score_sum" + excluded."score_sum";
  RETURN NULL;
END $$;--> statement-breakpoint
-- No rating or ticket change may slip between the copy, the rollup and the triggers.
LOCK TABLE "tickets", "ticket_ratings" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
CREATE TRIGGER "ticket_ratings_take_dims" BEFORE INSERT ON "ticket_ratings"
  FOR EACH ROW EXECUTE FUNCTION "ticket_ratings_take_dims"();--> statement-breakpoint
CREATE TRIGGER "ticket_ratings_follow_ticket" AFTER UPDATE OF "category_id", "priority", "assigned_to" ON "tickets"
  FOR EACH ROW WHEN ((OLD.category_id, OLD.priority, OLD.assigned_to) IS DISTINCT FROM (NEW.category_id, NEW.priority, NEW.assigned_to))
  EXECUTE FUNCTION "ticket_ratings_follow_ticket"();--> statement-breakpoint
UPDATE "ticket_ratings" r SET "category_id" = t.category_id, "priority" = t.priority,
  "assigned_to" = t.assigned_to
FROM "tickets" t WHERE t.id = r.ticket_id;--> statement-breakpoint
INSERT INTO "stats_csat_hourly" ("kind", "key", "hour", "ratings", "score_sum")
  SELECT e.kind, e.key, e.hour, sum(e.ratings), sum(e.score_sum)
  FROM "ticket_ratings" r, LATERAL "stats_csat_events"(r, 1) e
  GROUP BY 1, 2, 3;--> statement-breakpoint
-- Created after the copy above, so that its 1 row a rating is not rolled up one by one.
CREATE TRIGGER "stats_csat_follow" AFTER INSERT OR DELETE OR UPDATE ON "ticket_ratings"
  FOR EACH ROW EXECUTE FUNCTION "stats_csat_follow"();
