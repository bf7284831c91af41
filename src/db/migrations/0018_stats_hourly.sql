CREATE TABLE "stats_hourly" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"reopened" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	"responded" integer DEFAULT 0 NOT NULL,
	"sla_met" integer DEFAULT 0 NOT NULL,
	"sla_breached" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_hourly_kind_key_hour_pk" PRIMARY KEY("kind","key","hour")
);
--> statement-breakpoint
-- hand-written: the trigger that keeps stats_hourly from ticket_cycles, then the rollup of the cycles there are.
-- The events of a cycle, each at its UTC hour: its start (created, or reopened), its end (resolved), its close, its first answer, and the decision of each SLA target: met when done by its due time (the first response is done at the first answer, or at the end of a cycle without one), else breached at its due time (a due time still ahead counts there until the cycle is done in time; the stats queries read hours up to now only). Each change takes the old row's events out and puts the new row's in, once per kind (all, category, priority, assignee, channel), in one statement whose rows are in key order, so two changes never lock rows in opposite orders.
CREATE FUNCTION "stats_hourly_events"(c "ticket_cycles", sign integer)
RETURNS TABLE ("kind" text, "key" text, "hour" timestamptz, "created" integer, "reopened" integer, "resolved" integer, "closed" integer, "responded" integer, "sla_met" integer, "sla_breached" integer)
LANGUAGE sql STABLE AS $$
  SELECT k.kind, k.key, e.hour, sum(e.created)::int * sign, sum(e.reopened)::int * sign,
         sum(e.resolved)::int * sign, sum(e.closed)::int * sign, sum(e.responded)::int * sign,
         sum(e.met)::int * sign, sum(e.breached)::int * sign
  FROM (VALUES ('all', ''), ('category', c.category_id::text), ('priority', c.priority::text),
               ('assignee', coalesce(c.assigned_to::text, 'none')), ('channel', c.channel)) k(kind, key)
  CROSS JOIN (
    SELECT date_trunc('hour', c.started_at, 'UTC') AS hour, (c.seq = 1)::int AS created,
           (c.seq > 1)::int AS reopened, 0 AS resolved, 0 AS closed, 0 AS responded, 0 AS met, 0 AS breached
    UNION ALL SELECT date_trunc('hour', c.ended_at, 'UTC'), 0, 0, 1, 0, 0, 0, 0 WHERE c.ended_at IS NOT NULL
    UNION ALL SELECT date_trunc('hour', c.closed_at, 'UTC'), 0, 0, 0, 1, 0, 0, 0 WHERE c.closed_at IS NOT NULL
    UNION ALL SELECT date_trunc('hour', c.first_response_at, 'UTC'), 0, 0, 0, 0, 1, 0, 0 WHERE c.first_response_at IS NOT NULL
    UNION ALL SELECT date_trunc('hour', CASE WHEN met THEN done ELSE c.first_response_due_at END, 'UTC'), 0, 0, 0, 0, 0, met::int, (NOT met)::int
      FROM (SELECT coalesce(c.first_response_at, c.ended_at) AS done) d,
           LATERAL (SELECT coalesce(d.done <= c.first_response_due_at, false) AS met) m
      WHERE c.first_response_due_at IS NOT NULL
    UNION ALL SELECT date_trunc('hour', CASE WHEN met THEN c.ended_at ELSE c.resolution_due_at END, 'UTC'), 0, 0, 0, 0, 0, met::int, (NOT met)::int
      FROM (SELECT coalesce(c.ended_at <= c.resolution_due_at, false) AS met) m
      WHERE c.resolution_due_at IS NOT NULL
  ) e
  GROUP BY k.kind, k.key, e.hour
$$;--> statement-breakpoint
CREATE FUNCTION "stats_hourly_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.started_at, OLD.ended_at, OLD.closed_at, OLD.first_response_at,
      OLD.first_response_due_at, OLD.resolution_due_at, OLD.category_id, OLD.priority,
      OLD.assigned_to, OLD.channel)
      IS NOT DISTINCT FROM (NEW.started_at, NEW.ended_at, NEW.closed_at, NEW.first_response_at,
      NEW.first_response_due_at, NEW.resolution_due_at, NEW.category_id, NEW.priority,
      NEW.assigned_to, NEW.channel) THEN
    RETURN NULL;
  END IF;
  INSERT INTO "stats_hourly" AS s ("kind", "key", "hour", "created", "reopened", "resolved", "closed", "responded", "sla_met", "sla_breached")
  SELECT e.kind, e.key, e.hour, sum(e.created), sum(e.reopened), sum(e.resolved), sum(e.closed),
         sum(e.responded), sum(e.sla_met), sum(e.sla_breached)
  FROM (
    SELECT * FROM "stats_hourly_events"(OLD, -1) WHERE TG_OP <> 'INSERT'
    UNION ALL
    SELECT * FROM "stats_hourly_events"(NEW, 1) WHERE TG_OP <> 'DELETE'
  ) e
  GROUP BY e.kind, e.key, e.hour
  ORDER BY e.kind, e.key, e.hour
  ON CONFLICT ("kind", "key", "hour") DO UPDATE SET
    "created" = s."created" + excluded."created", "reopened" = s."reopened" + excluded."reopened",
    "resolved" = s."resolved" + excluded."resolved", "closed" = s."closed" + excluded."closed",
    "responded" = s."responded" + excluded."responded", "sla_met" = s."sla_met" + excluded."sla_met",
    "sla_breached" = s."sla_breached" + excluded."sla_breached";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "stats_hourly_follow" AFTER INSERT OR DELETE OR UPDATE ON "ticket_cycles"
  FOR EACH ROW EXECUTE FUNCTION "stats_hourly_follow"();--> statement-breakpoint
-- No change may slip between the rollup and the trigger of a server still running the old code.
LOCK TABLE "ticket_cycles" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
INSERT INTO "stats_hourly" ("kind", "key", "hour", "created", "reopened", "resolved", "closed", "responded", "sla_met", "sla_breached")
  SELECT e.kind, e.key, e.hour, sum(e.created), sum(e.reopened), sum(e.resolved), sum(e.closed),
         sum(e.responded), sum(e.sla_met), sum(e.sla_breached)
  FROM "ticket_cycles" c, LATERAL "stats_hourly_events"(c, 1) e
  GROUP BY e.kind, e.key, e.hour;
