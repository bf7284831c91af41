CREATE TABLE "staff_group_pace" (
	"chat_id" bigint PRIMARY KEY NOT NULL,
	"next_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_posts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"ticket_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"claimed_at" timestamp (3) with time zone,
	"sent_at" timestamp (3) with time zone,
	"given_up_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_topics" (
	"ticket_id" uuid NOT NULL,
	"chat_id" bigint NOT NULL,
	"message_thread_id" integer NOT NULL,
	"name" text NOT NULL,
	"icon_custom_emoji_id" text,
	"closed" boolean DEFAULT false NOT NULL,
	"card_message_id" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_topics_ticket_id_chat_id_pk" PRIMARY KEY("ticket_id","chat_id")
);
--> statement-breakpoint
ALTER TABLE "staff_posts" ADD CONSTRAINT "staff_posts_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_topics" ADD CONSTRAINT "staff_topics_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "staff_posts_pending_idx" ON "staff_posts" USING btree ("seq") WHERE "staff_posts"."sent_at" is null and "staff_posts"."given_up_at" is null;--> statement-breakpoint
CREATE INDEX "staff_posts_ticket_idx" ON "staff_posts" USING btree ("ticket_id");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_topics_thread_idx" ON "staff_topics" USING btree ("chat_id","message_thread_id");