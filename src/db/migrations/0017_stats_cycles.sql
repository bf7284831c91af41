CREATE TABLE "ticket_cycles" (
	"ticket_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"ended_at" timestamp (3) with time zone,
	"closed_at" timestamp (3) with time zone,
	"ended_assignee" uuid,
	"first_response_at" timestamp (3) with time zone,
	"first_responder_id" uuid,
	"first_response_support_s" integer,
	"resolution_support_s" integer,
	"waiting_since" timestamp (3) with time zone,
	"waiting_support_s" integer DEFAULT 0 NOT NULL,
	"first_response_due_at" timestamp (3) with time zone,
	"resolution_due_at" timestamp (3) with time zone,
	"category_id" uuid NOT NULL,
	"priority" "ticket_priority" NOT NULL,
	"assigned_to" uuid,
	"channel" text NOT NULL,
	CONSTRAINT "ticket_cycles_ticket_id_seq_pk" PRIMARY KEY("ticket_id","seq")
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "channel" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "ticket_cycles" ADD CONSTRAINT "ticket_cycles_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ticket_cycles_started_idx" ON "ticket_cycles" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "ticket_cycles_ended_idx" ON "ticket_cycles" USING btree ("ended_at");--> statement-breakpoint
CREATE INDEX "ticket_cycles_closed_idx" ON "ticket_cycles" USING btree ("closed_at");--> statement-breakpoint
CREATE INDEX "ticket_cycles_first_response_idx" ON "ticket_cycles" USING btree ("first_response_at");--> statement-breakpoint
CREATE INDEX "ticket_cycles_active_idx" ON "ticket_cycles" USING btree ("started_at") WHERE "ticket_cycles"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "ticket_ratings_created_idx" ON "ticket_ratings" USING btree ("created_at");--> statement-breakpoint
-- hand-written: one cycle per ticket there is, so an upgrade shows figures at once (docs/operations.md, "Statistics"): it starts at creation and, for a resolved or closed ticket, ends at its last move to resolved or closed in the audit log (else its last change). Reopens before the upgrade are not split into cycles, and support-hours durations of these cycles are unknown (null: left out of the support-time percentiles).
INSERT INTO "ticket_cycles" ("ticket_id", "seq", "started_at", "ended_at", "closed_at", "ended_assignee", "first_response_at", "first_response_due_at", "resolution_due_at", "category_id", "priority", "assigned_to", "channel")
SELECT t."id", 1, t."created_at", e."ended_at", t."closed_at", CASE WHEN e."ended_at" IS NULL THEN NULL ELSE t."assigned_to" END, t."first_response_at", t."first_response_due_at", t."resolution_due_at", t."category_id", t."priority", t."assigned_to", t."channel"
FROM "tickets" t
LEFT JOIN LATERAL (
  SELECT CASE WHEN t."status" IN ('resolved', 'closed') THEN coalesce(
    (SELECT max(a."created_at") FROM "audit_log" a WHERE a."entity_type" = 'ticket' AND a."entity_id" = t."id" AND a."action" = 'ticket.status_changed' AND a."after" ->> 'status' IN ('resolved', 'closed')),
    t."updated_at") END AS "ended_at"
) e ON true;
