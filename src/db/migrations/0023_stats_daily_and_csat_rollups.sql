CREATE TABLE "stats_csat_hourly" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"ratings" integer DEFAULT 0 NOT NULL,
	"score_sum" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_csat_hourly_kind_key_hour_pk" PRIMARY KEY("kind","key","hour")
);
--> statement-breakpoint
CREATE TABLE "stats_daily" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"reopened" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	"responded" integer DEFAULT 0 NOT NULL,
	"sla_met" integer DEFAULT 0 NOT NULL,
	"sla_breached" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_daily_kind_key_day_pk" PRIMARY KEY("kind","key","day")
);
--> statement-breakpoint
ALTER TABLE "ticket_ratings" ADD COLUMN "category_id" uuid;--> statement-breakpoint
ALTER TABLE "ticket_ratings" ADD COLUMN "priority" "ticket_priority";--> statement-breakpoint
ALTER TABLE "ticket_ratings" ADD COLUMN "assigned_to" uuid;--> statement-breakpoint
CREATE INDEX "stats_hourly_kind_hour_idx" ON "stats_hourly" USING btree ("kind","hour");--> statement-breakpoint
-- hand-written: the trigger that keeps stats_daily from ticket_cycles, then the daily rollup of the hourly one.
-- The same events as stats_hourly (stats_hourly_events of 0018) summed per UTC day; each change takes the old row's events out and puts the new row's in, in one statement whose rows are in key order.
CREATE FUNCTION "stats_daily_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.started_at, OLD.ended_at, OLD.closed_at, OLD.first_response_at,
      OLD.first_response_due_at, OLD.resolution_due_at, OLD.category_id, OLD.priority,
      OLD.assigned_to, OLD.channel)
      IS NOT DISTINCT FROM (NEW.started_at, NEW.ended_at, NEW.closed_at, NEW.first_response_at,
      NEW.first_response_due_at, NEW.resolution_due_at, NEW.category_id, NEW.priority,
      NEW.assigned_to, NEW.channel) THEN
    RETURN NULL;
  END IF;
  INSERT INTO "stats_daily" AS s ("kind", "key", "day", "created", "reopened", "resolved", "closed", "responded", "sla_met", "sla_breached")
  SELECT e.kind, e.key, date_trunc('day', e.hour, 'UTC') AS day, sum(e.created), sum(e.reopened),
         sum(e.resolved), sum(e.closed), sum(e.responded), sum(e.sla_met), sum(e.sla_breached)
  FROM (
    SELECT * FROM "stats_hourly_events"(OLD, -1) WHERE TG_OP <> 'INSERT'
    UNION ALL
    SELECT * FROM "stats_hourly_events"(NEW, 1) WHERE TG_OP <> 'DELETE'
  ) e
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT ("kind", "key", "day") DO UPDATE SET
    "created" = s."created" + excluded."created", "reopened" = s."reopened" + excluded."reopened",
    "resolved" = s."resolved" + excluded."resolved", "closed" = s."closed" + excluded."closed",
    "responded" = s."responded" + excluded."responded", "sla_met" = s."sla_met" + excluded."sla_met",
    "sla_breached" = s."sla_breached" + excluded."sla_breached";
  RETURN NULL;
END $$;--> statement-breakpoint
-- No change may slip between the rollup and the trigger of a server still running the old code.
LOCK TABLE "ticket_cycles" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
CREATE TRIGGER "stats_daily_follow" AFTER INSERT OR DELETE OR UPDATE ON "ticket_cycles"
  FOR EACH ROW EXECUTE FUNCTION "stats_daily_follow"();--> statement-breakpoint
-- stats_hourly (kept by 0018's trigger) holds every event already: summing its hours per day is far quicker than reading the cycles again.
INSERT INTO "stats_daily" ("kind", "key", "day", "created", "reopened", "resolved", "closed", "responded", "sla_met", "sla_breached")
  SELECT s.kind, s.key, date_trunc('day', s.hour, 'UTC'), sum(s.created), sum(s.reopened),
         sum(s.resolved), sum(s.closed), sum(s.responded), sum(s.sla_met), sum(s.sla_breached)
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
