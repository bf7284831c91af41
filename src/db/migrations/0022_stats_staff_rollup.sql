CREATE TABLE "stats_staff_daily" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"user_id" uuid NOT NULL,
	"assigned" integer DEFAULT 0 NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	"responded" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"sla_met" integer DEFAULT 0 NOT NULL,
	"sla_breached" integer DEFAULT 0 NOT NULL,
	"csat_sum" integer DEFAULT 0 NOT NULL,
	"csat_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_staff_daily_kind_key_day_user_id_pk" PRIMARY KEY("kind","key","day","user_id")
);
--> statement-breakpoint
CREATE TABLE "stats_staff_durations" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"user_id" uuid NOT NULL,
	"metric" smallint NOT NULL,
	"counts" integer[] NOT NULL,
	CONSTRAINT "stats_staff_durations_kind_key_day_user_id_metric_pk" PRIMARY KEY("kind","key","day","user_id","metric")
);
--> statement-breakpoint
CREATE TABLE "stats_staff_hourly" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"user_id" uuid NOT NULL,
	"assigned" integer DEFAULT 0 NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	"responded" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"sla_met" integer DEFAULT 0 NOT NULL,
	"sla_breached" integer DEFAULT 0 NOT NULL,
	"csat_sum" integer DEFAULT 0 NOT NULL,
	"csat_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_staff_hourly_kind_key_hour_user_id_pk" PRIMARY KEY("kind","key","hour","user_id")
);
--> statement-breakpoint
CREATE TABLE "stats_staff_monthly_durations" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"month" timestamp with time zone NOT NULL,
	"user_id" uuid NOT NULL,
	"metric" smallint NOT NULL,
	"counts" integer[] NOT NULL,
	CONSTRAINT "stats_staff_monthly_durations_kind_key_month_user_id_metric_pk" PRIMARY KEY("kind","key","month","user_id","metric")
);
--> statement-breakpoint
CREATE INDEX "audit_log_assigned_idx" ON "audit_log" USING btree ("created_at") WHERE "audit_log"."entity_type" = 'ticket' and "audit_log"."action" = 'ticket.assigned';--> statement-breakpoint
CREATE INDEX "messages_created_idx" ON "messages" USING btree ("created_at");--> statement-breakpoint
-- hand-written: the triggers that keep the staff table's rollups (src/stats/staff-rollup.ts), then the rollups of the data there is. stats_staff_put adds a change's events to the hourly rows and to their sums per day (stats_staff_daily); stats_staff_durations_apply adds its durations to the daily histograms and to their sums per month (stats_staff_monthly_durations).
-- Every event is counted once per kind: all, and the ticket's current category, priority and assignee ('none': unassigned), which ticket_cycles carry (src/stats/recorder.ts moves every cycle of a ticket when they change) and which the ticket's other events (assignments, messages, ratings) are moved with by the trigger on tickets. Events of cycles: the first answer (its writer, at its hour), the end (the assignee it ended with), the SLA decisions of the ticket's assignee at the hours stats_hourly (0018) puts them. Other events: an assignment in the audit log (to the user assigned), a message by anyone but the ticket's own customer (its writer), a rating (the ticket's assignee now). Each statement writes its rows in key order, so two changes never lock rows in opposite orders.
CREATE FUNCTION "stats_staff_keys"(category uuid, priority "ticket_priority", assignee uuid)
RETURNS TABLE ("kind" text, "key" text)
LANGUAGE sql IMMUTABLE AS $$
  VALUES ('all', ''), ('category', category::text), ('priority', priority::text),
         ('assignee', coalesce(assignee::text, 'none'))
$$;--> statement-breakpoint
CREATE FUNCTION "stats_staff_put"(e "stats_staff_hourly"[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO "stats_staff_hourly" AS s
  SELECT u.kind, u.key, u.hour, u.user_id, sum(u.assigned), sum(u.messages), sum(u.responded),
         sum(u.resolved), sum(u.sla_met), sum(u.sla_breached), sum(u.csat_sum), sum(u.csat_count)
  FROM unnest(e) u
  GROUP BY u.kind, u.key, u.hour, u.user_id
  HAVING (sum(u.assigned), sum(u.messages), sum(u.responded), sum(u.resolved), sum(u.sla_met),
          sum(u.sla_breached), sum(u.csat_sum), sum(u.csat_count)) <> (0, 0, 0, 0, 0, 0, 0, 0)
  ORDER BY u.kind, u.key, u.hour, u.user_id
  ON CONFLICT ("kind", "key", "hour", "user_id") DO UPDATE SET
    "assigned" = s."assigned" + excluded."assigned", "messages" = s."messages" + excluded."messages",
    "responded" = s."responded" + excluded."responded", "resolved" = s."resolved" + excluded."resolved",
    "sla_met" = s."sla_met" + excluded."sla_met", "sla_breached" = s."sla_breached" + excluded."sla_breached",
    "csat_sum" = s."csat_sum" + excluded."csat_sum", "csat_count" = s."csat_count" + excluded."csat_count";
  INSERT INTO "stats_staff_daily" AS s
  SELECT u.kind, u.key, date_trunc('day', u.hour, 'UTC'), u.user_id, sum(u.assigned), sum(u.messages),
         sum(u.responded), sum(u.resolved), sum(u.sla_met), sum(u.sla_breached), sum(u.csat_sum), sum(u.csat_count)
  FROM unnest(e) u
  GROUP BY u.kind, u.key, date_trunc('day', u.hour, 'UTC'), u.user_id
  HAVING (sum(u.assigned), sum(u.messages), sum(u.responded), sum(u.resolved), sum(u.sla_met),
          sum(u.sla_breached), sum(u.csat_sum), sum(u.csat_count)) <> (0, 0, 0, 0, 0, 0, 0, 0)
  ORDER BY 1, 2, 3, 4
  ON CONFLICT ("kind", "key", "day", "user_id") DO UPDATE SET
    "assigned" = s."assigned" + excluded."assigned", "messages" = s."messages" + excluded."messages",
    "responded" = s."responded" + excluded."responded", "resolved" = s."resolved" + excluded."resolved",
    "sla_met" = s."sla_met" + excluded."sla_met", "sla_breached" = s."sla_breached" + excluded."sla_breached",
    "csat_sum" = s."csat_sum" + excluded."csat_sum", "csat_count" = s."csat_count" + excluded."csat_count"
$$;--> statement-breakpoint
CREATE FUNCTION "stats_staff_cycle_events"(c "ticket_cycles", sign integer)
RETURNS SETOF "stats_staff_hourly"
LANGUAGE sql STABLE AS $$
  SELECT k.kind, k.key, e.hour, e.user_id, 0, 0, e.responded * sign, e.resolved * sign,
         e.met * sign, e.breached * sign, 0, 0
  FROM "stats_staff_keys"(c.category_id, c.priority, c.assigned_to) k
  CROSS JOIN (
    SELECT date_trunc('hour', c.first_response_at, 'UTC') AS hour, c.first_responder_id AS user_id,
           1 AS responded, 0 AS resolved, 0 AS met, 0 AS breached
      WHERE c.first_response_at IS NOT NULL AND c.first_responder_id IS NOT NULL
    UNION ALL SELECT date_trunc('hour', c.ended_at, 'UTC'), c.ended_assignee, 0, 1, 0, 0
      WHERE c.ended_at IS NOT NULL AND c.ended_assignee IS NOT NULL
    UNION ALL SELECT date_trunc('hour', CASE WHEN met THEN done ELSE c.first_response_due_at END, 'UTC'), c.assigned_to, 0, 0, met::int, (NOT met)::int
      FROM (SELECT coalesce(c.first_response_at, c.ended_at) AS done) d,
           LATERAL (SELECT coalesce(d.done <= c.first_response_due_at, false) AS met) m
      WHERE c.first_response_due_at IS NOT NULL AND c.assigned_to IS NOT NULL
    UNION ALL SELECT date_trunc('hour', CASE WHEN met THEN c.ended_at ELSE c.resolution_due_at END, 'UTC'), c.assigned_to, 0, 0, met::int, (NOT met)::int
      FROM (SELECT coalesce(c.ended_at <= c.resolution_due_at, false) AS met) m
      WHERE c.resolution_due_at IS NOT NULL AND c.assigned_to IS NOT NULL
  ) e
$$;--> statement-breakpoint
CREATE FUNCTION "stats_staff_duration_events"(c "ticket_cycles")
RETURNS TABLE ("kind" text, "key" text, "day" timestamptz, "user_id" uuid, "metric" smallint, "bucket" integer)
LANGUAGE sql STABLE AS $$
  SELECT k.kind, k.key, e.day, e.user_id, e.metric::smallint, e.bucket
  FROM "stats_staff_keys"(c.category_id, c.priority, c.assigned_to) k
  CROSS JOIN (
    SELECT date_trunc('day', c.first_response_at, 'UTC') AS day, c.first_responder_id AS user_id, 0 AS metric,
           "stats_duration_bucket"(extract(epoch from c.first_response_at - c.started_at)) AS bucket
      WHERE c.first_response_at IS NOT NULL AND c.first_responder_id IS NOT NULL
    UNION ALL SELECT date_trunc('day', c.ended_at, 'UTC'), c.ended_assignee, 2,
           "stats_duration_bucket"(extract(epoch from c.ended_at - c.started_at))
      WHERE c.ended_at IS NOT NULL AND c.ended_assignee IS NOT NULL
  ) e
$$;--> statement-breakpoint
CREATE FUNCTION "stats_staff_durations_apply"(c "ticket_cycles", sign integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO "stats_staff_durations" AS s ("kind", "key", "day", "user_id", "metric", "counts")
  SELECT e.kind, e.key, e.day, e.user_id, e.metric,
         (SELECT array_agg(CASE WHEN i = e.bucket THEN sign ELSE 0 END ORDER BY i) FROM generate_series(1, 100) i)
  FROM "stats_staff_duration_events"(c) e
  ORDER BY e.kind, e.key, e.day, e.user_id, e.metric
  ON CONFLICT ("kind", "key", "day", "user_id", "metric") DO UPDATE SET "counts" =
    (SELECT array_agg(a + b ORDER BY i) FROM unnest(s."counts", excluded."counts") WITH ORDINALITY u(a, b, i));
  INSERT INTO "stats_staff_monthly_durations" AS s ("kind", "key", "month", "user_id", "metric", "counts")
  SELECT e.kind, e.key, date_trunc('month', e.day, 'UTC'), e.user_id, e.metric,
         (SELECT array_agg(CASE WHEN i = e.bucket THEN sign ELSE 0 END ORDER BY i) FROM generate_series(1, 100) i)
  FROM "stats_staff_duration_events"(c) e
  ORDER BY e.kind, e.key, 3, e.user_id, e.metric
  ON CONFLICT ("kind", "key", "month", "user_id", "metric") DO UPDATE SET "counts" =
    (SELECT array_agg(a + b ORDER BY i) FROM unnest(s."counts", excluded."counts") WITH ORDINALITY u(a, b, i))
$$;--> statement-breakpoint
CREATE FUNCTION "stats_staff_cycles_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.started_at, OLD.ended_at, OLD.ended_assignee, OLD.first_response_at,
      OLD.first_responder_id, OLD.first_response_due_at, OLD.resolution_due_at, OLD.category_id,
      OLD.priority, OLD.assigned_to)
      IS NOT DISTINCT FROM (NEW.started_at, NEW.ended_at, NEW.ended_assignee, NEW.first_response_at,
      NEW.first_responder_id, NEW.first_response_due_at, NEW.resolution_due_at, NEW.category_id,
      NEW.priority, NEW.assigned_to) THEN
    RETURN NULL;
  END IF;
  PERFORM "stats_staff_put"(
    CASE WHEN TG_OP = 'INSERT' THEN '{}' ELSE ARRAY(SELECT e FROM "stats_staff_cycle_events"(OLD, -1) e) END
    || CASE WHEN TG_OP = 'DELETE' THEN '{}' ELSE ARRAY(SELECT e FROM "stats_staff_cycle_events"(NEW, 1) e) END);
  IF TG_OP <> 'INSERT' THEN PERFORM "stats_staff_durations_apply"(OLD, -1); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM "stats_staff_durations_apply"(NEW, 1); END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "stats_staff_cycles_follow" AFTER INSERT OR DELETE OR UPDATE ON "ticket_cycles"
  FOR EACH ROW EXECUTE FUNCTION "stats_staff_cycles_follow"();--> statement-breakpoint
-- The assignments, messages and ratings of a ticket counted under its category, priority and assignee (a reassignment, a new category or priority moves them; a deleted ticket takes them out before its rows go).
CREATE FUNCTION "stats_staff_ticket_events"(t "tickets", sign integer)
RETURNS SETOF "stats_staff_hourly"
LANGUAGE sql STABLE AS $$
  SELECT k.kind, k.key, e.hour, e.user_id, e.assigned * sign, e.messages * sign, 0, 0, 0, 0,
         e.csat_sum * sign, e.csat_count * sign
  FROM "stats_staff_keys"(t.category_id, t.priority, t.assigned_to) k
  CROSS JOIN (
    SELECT date_trunc('hour', a.created_at, 'UTC') AS hour, (a.after ->> 'assigned_to')::uuid AS user_id,
           1 AS assigned, 0 AS messages, 0 AS csat_sum, 0 AS csat_count
      FROM "audit_log" a
      WHERE a.entity_type = 'ticket' AND a.entity_id = t.id AND a.action = 'ticket.assigned'
        AND a.after ->> 'assigned_to' IS NOT NULL
    UNION ALL SELECT date_trunc('hour', m.created_at, 'UTC'), m.user_id, 0, 1, 0, 0
      FROM "messages" m WHERE m.ticket_id = t.id AND m.user_id <> t.user_id
    UNION ALL SELECT date_trunc('hour', r.created_at, 'UTC'), t.assigned_to, 0, 0, r.score, 1
      FROM "ticket_ratings" r WHERE r.ticket_id = t.id AND t.assigned_to IS NOT NULL
  ) e
$$;--> statement-breakpoint
CREATE FUNCTION "stats_staff_tickets_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM "stats_staff_put"(ARRAY(SELECT e FROM "stats_staff_ticket_events"(OLD, -1) e));
    RETURN OLD;
  END IF;
  IF (OLD.category_id, OLD.priority, OLD.assigned_to, OLD.user_id)
      IS DISTINCT FROM (NEW.category_id, NEW.priority, NEW.assigned_to, NEW.user_id) THEN
    PERFORM "stats_staff_put"(ARRAY(SELECT e FROM "stats_staff_ticket_events"(OLD, -1) e)
      || ARRAY(SELECT e FROM "stats_staff_ticket_events"(NEW, 1) e));
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "stats_staff_tickets_moved" AFTER UPDATE OF "category_id", "priority", "assigned_to", "user_id" ON "tickets"
  FOR EACH ROW EXECUTE FUNCTION "stats_staff_tickets_follow"();--> statement-breakpoint
CREATE TRIGGER "stats_staff_tickets_deleted" BEFORE DELETE ON "tickets"
  FOR EACH ROW EXECUTE FUNCTION "stats_staff_tickets_follow"();--> statement-breakpoint
-- A row's own event, under its ticket's keys; none once the ticket is gone (its delete took them out).
CREATE FUNCTION "stats_staff_rows_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'audit_log' THEN
    PERFORM "stats_staff_put"(ARRAY(
      SELECT (k.kind, k.key, date_trunc('hour', NEW.created_at, 'UTC'), (NEW.after ->> 'assigned_to')::uuid,
              1, 0, 0, 0, 0, 0, 0, 0)::"stats_staff_hourly"
      FROM "tickets" t, "stats_staff_keys"(t.category_id, t.priority, t.assigned_to) k
      WHERE t.id = NEW.entity_id AND NEW.after ->> 'assigned_to' IS NOT NULL));
  ELSIF TG_TABLE_NAME = 'messages' THEN
    PERFORM "stats_staff_put"(ARRAY(
      SELECT (k.kind, k.key, date_trunc('hour', m.created_at, 'UTC'), m.user_id,
              0, m.sign, 0, 0, 0, 0, 0, 0)::"stats_staff_hourly"
      FROM (SELECT NEW.ticket_id, NEW.user_id, NEW.created_at, 1 AS sign WHERE TG_OP = 'INSERT'
            UNION ALL SELECT OLD.ticket_id, OLD.user_id, OLD.created_at, -1 WHERE TG_OP = 'DELETE') m(ticket_id, user_id, created_at, sign)
      JOIN "tickets" t ON t.id = m.ticket_id AND t.user_id <> m.user_id,
      LATERAL "stats_staff_keys"(t.category_id, t.priority, t.assigned_to) k));
  ELSE
    PERFORM "stats_staff_put"(ARRAY(
      SELECT (k.kind, k.key, date_trunc('hour', r.created_at, 'UTC'), t.assigned_to,
              0, 0, 0, 0, 0, 0, r.score * r.sign, r.sign)::"stats_staff_hourly"
      FROM (SELECT NEW.ticket_id, NEW.score, NEW.created_at, 1 AS sign WHERE TG_OP <> 'DELETE'
            UNION ALL SELECT OLD.ticket_id, OLD.score, OLD.created_at, -1 WHERE TG_OP <> 'INSERT') r(ticket_id, score, created_at, sign)
      JOIN "tickets" t ON t.id = r.ticket_id AND t.assigned_to IS NOT NULL,
      LATERAL "stats_staff_keys"(t.category_id, t.priority, t.assigned_to) k));
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "stats_staff_assignments_follow" AFTER INSERT ON "audit_log"
  FOR EACH ROW WHEN (NEW.entity_type = 'ticket' AND NEW.action = 'ticket.assigned')
  EXECUTE FUNCTION "stats_staff_rows_follow"();--> statement-breakpoint
CREATE TRIGGER "stats_staff_messages_follow" AFTER INSERT OR DELETE ON "messages"
  FOR EACH ROW EXECUTE FUNCTION "stats_staff_rows_follow"();--> statement-breakpoint
CREATE TRIGGER "stats_staff_ratings_follow" AFTER INSERT OR DELETE OR UPDATE OF "score", "created_at" ON "ticket_ratings"
  FOR EACH ROW EXECUTE FUNCTION "stats_staff_rows_follow"();--> statement-breakpoint
-- No change may slip between the rollups and the triggers of a server still running the old code.
LOCK TABLE "tickets", "ticket_cycles", "audit_log", "messages", "ticket_ratings" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
INSERT INTO "stats_staff_hourly"
  SELECT e.kind, e.key, e.hour, e.user_id, sum(e.assigned), sum(e.messages), sum(e.responded),
         sum(e.resolved), sum(e.sla_met), sum(e.sla_breached), sum(e.csat_sum), sum(e.csat_count)
  FROM (
    SELECT e.* FROM "ticket_cycles" c, LATERAL "stats_staff_cycle_events"(c, 1) e
    UNION ALL
    SELECT k.kind, k.key, date_trunc('hour', a.created_at, 'UTC'), (a.after ->> 'assigned_to')::uuid, 1, 0, 0, 0, 0, 0, 0, 0
    FROM "audit_log" a JOIN "tickets" t ON t.id = a.entity_id,
         LATERAL "stats_staff_keys"(t.category_id, t.priority, t.assigned_to) k
    WHERE a.entity_type = 'ticket' AND a.action = 'ticket.assigned' AND a.after ->> 'assigned_to' IS NOT NULL
    UNION ALL
    SELECT k.kind, k.key, date_trunc('hour', m.created_at, 'UTC'), m.user_id, 0, 1, 0, 0, 0, 0, 0, 0
    FROM "messages" m JOIN "tickets" t ON t.id = m.ticket_id AND t.user_id <> m.user_id,
         LATERAL "stats_staff_keys"(t.category_id, t.priority, t.assigned_to) k
    UNION ALL
    SELECT k.kind, k.key, date_trunc('hour', r.created_at, 'UTC'), t.assigned_to, 0, 0, 0, 0, 0, 0, r.score, 1
    FROM "ticket_ratings" r JOIN "tickets" t ON t.id = r.ticket_id AND t.assigned_to IS NOT NULL,
         LATERAL "stats_staff_keys"(t.category_id, t.priority, t.assigned_to) k
  ) e
  GROUP BY e.kind, e.key, e.hour, e.user_id;--> statement-breakpoint
INSERT INTO "stats_staff_daily"
  SELECT kind, key, date_trunc('day', hour, 'UTC'), user_id, sum(assigned), sum(messages), sum(responded),
         sum(resolved), sum(sla_met), sum(sla_breached), sum(csat_sum), sum(csat_count)
  FROM "stats_staff_hourly"
  GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO "stats_staff_durations" ("kind", "key", "day", "user_id", "metric", "counts")
  SELECT b.kind, b.key, b.day, b.user_id, b.metric,
         (SELECT array_agg(coalesce((b.per ->> i::text)::int, 0) ORDER BY i) FROM generate_series(1, 100) i)
  FROM (
    SELECT x.kind, x.key, x.day, x.user_id, x.metric, jsonb_object_agg(x.bucket, x.n) AS per
    FROM (
      SELECT e.kind, e.key, e.day, e.user_id, e.metric, e.bucket, count(*) AS n
      FROM "ticket_cycles" c, LATERAL "stats_staff_duration_events"(c) e
      GROUP BY 1, 2, 3, 4, 5, 6
    ) x
    GROUP BY 1, 2, 3, 4, 5
  ) b;--> statement-breakpoint
INSERT INTO "stats_staff_monthly_durations" ("kind", "key", "month", "user_id", "metric", "counts")
  SELECT b.kind, b.key, b.month, b.user_id, b.metric,
         (SELECT array_agg(coalesce((b.per ->> i::text)::int, 0) ORDER BY i) FROM generate_series(1, 100) i)
  FROM (
    SELECT x.kind, x.key, x.month, x.user_id, x.metric, jsonb_object_agg(x.bucket, x.n) AS per
    FROM (
      SELECT e.kind, e.key, date_trunc('month', e.day, 'UTC') AS month, e.user_id, e.metric, e.bucket, count(*) AS n
      FROM "ticket_cycles" c, LATERAL "stats_staff_duration_events"(c) e
      GROUP BY 1, 2, 3, 4, 5, 6
    ) x
    GROUP BY 1, 2, 3, 4, 5
  ) b;
