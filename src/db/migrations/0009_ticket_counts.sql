CREATE TABLE "ticket_counts" (
	"status" "ticket_status" NOT NULL,
	"priority" "ticket_priority" NOT NULL,
	"category_id" uuid NOT NULL,
	"assigned_to" uuid,
	"tickets" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "ticket_counts_key" UNIQUE NULLS NOT DISTINCT("status","priority","category_id","assigned_to")
);
--> statement-breakpoint
-- hand-written: the trigger that keeps ticket_counts, then the counts of the tickets there are.
-- Each change moves one ticket out of its old combination and into its new one, in one
-- statement whose rows are in key order, so two changes never lock the same rows in opposite
-- orders (no deadlock between, say, open -> in_progress and in_progress -> open).
CREATE FUNCTION "ticket_counts_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.status, OLD.priority, OLD.category_id, OLD.assigned_to)
      IS NOT DISTINCT FROM (NEW.status, NEW.priority, NEW.category_id, NEW.assigned_to) THEN
    RETURN NULL;
  END IF;
  INSERT INTO "ticket_counts" AS c ("status", "priority", "category_id", "assigned_to", "tickets")
  SELECT status, priority, category_id, assigned_to, sum(delta) FROM (
    SELECT OLD.status AS status, OLD.priority AS priority, OLD.category_id AS category_id,
           OLD.assigned_to AS assigned_to, -1 AS delta
    WHERE TG_OP <> 'INSERT'
    UNION ALL
    SELECT NEW.status, NEW.priority, NEW.category_id, NEW.assigned_to, 1
    WHERE TG_OP <> 'DELETE'
  ) moved
  GROUP BY status, priority, category_id, assigned_to
  ORDER BY status, priority, category_id, assigned_to NULLS FIRST
  ON CONFLICT ("status", "priority", "category_id", "assigned_to")
    DO UPDATE SET "tickets" = c."tickets" + excluded."tickets";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "ticket_counts_follow" AFTER INSERT OR DELETE OR UPDATE OF "status", "priority", "category_id", "assigned_to"
  ON "tickets" FOR EACH ROW EXECUTE FUNCTION "ticket_counts_follow"();--> statement-breakpoint
-- No change may slip between the count and the trigger of a server still running the old code.
LOCK TABLE "tickets" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
INSERT INTO "ticket_counts" ("status", "priority", "category_id", "assigned_to", "tickets")
  SELECT "status", "priority", "category_id", "assigned_to", count(*) FROM "tickets"
  GROUP BY "status", "priority", "category_id", "assigned_to";
