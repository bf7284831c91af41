-- hand-written: the rollups' triggers cost less per write (measured with bench/stats-write-cost.ts; docs/operations.md, "What the rollups cost a write").
-- The three functions that write rollup rows were SQL functions of two statements or of one with a sub-select, which PostgreSQL before 18 plans anew on every call; as PL/pgSQL their plans are kept for the session. Each also returns at once when the change has nothing to add: a new ticket's cycle has no first answer or end, so no durations; a customer's own message is no staff event. The statements are those of 0019 and 0022, unchanged.
CREATE OR REPLACE FUNCTION "stats_staff_put"(e "stats_staff_hourly"[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(e) = 0 THEN RETURN; END IF;
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
    "csat_sum" = s."csat_sum" + excluded."csat_sum", "csat_count" = s."csat_count" + excluded."csat_count";
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "stats_staff_durations_apply"(c "ticket_cycles", sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF (c.first_response_at IS NULL OR c.first_responder_id IS NULL)
      AND (c.ended_at IS NULL OR c.ended_assignee IS NULL) THEN
    RETURN;
  END IF;
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
    (SELECT array_agg(a + b ORDER BY i) FROM unnest(s."counts", excluded."counts") WITH ORDINALITY u(a, b, i));
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "stats_durations_apply"(c "ticket_cycles", sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF c.first_response_at IS NULL AND c.ended_at IS NULL THEN RETURN; END IF;
  INSERT INTO "stats_durations" AS s ("kind", "key", "day", "metric", "counts")
  SELECT e.kind, e.key, e.day, e.metric,
         (SELECT array_agg(CASE WHEN i = e.bucket THEN sign ELSE 0 END ORDER BY i) FROM generate_series(1, 100) i)
  FROM "stats_duration_events"(c) e
  ORDER BY e.kind, e.key, e.day, e.metric
  ON CONFLICT ("kind", "key", "day", "metric") DO UPDATE SET "counts" =
    (SELECT array_agg(a + b ORDER BY i) FROM unnest(s."counts", excluded."counts") WITH ORDINALITY u(a, b, i));
END $$;
