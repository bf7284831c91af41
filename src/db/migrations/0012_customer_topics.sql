CREATE TABLE "customer_topics" (
	"ticket_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"chat_id" bigint,
	"message_thread_id" integer,
	"card_message_id" integer,
	"claimed_at" timestamp with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "message_id" uuid;--> statement-breakpoint
ALTER TABLE "telegram_ticket_messages" ADD COLUMN "ticket_message_id" uuid;--> statement-breakpoint
ALTER TABLE "customer_topics" ADD CONSTRAINT "customer_topics_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_topics" ADD CONSTRAINT "customer_topics_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "customer_topics_thread_idx" ON "customer_topics" USING btree ("chat_id","message_thread_id") WHERE "customer_topics"."message_thread_id" is not null;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "telegram_ticket_messages" ADD CONSTRAINT "telegram_ticket_messages_ticket_message_id_messages_id_fk" FOREIGN KEY ("ticket_message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notifications_message_idx" ON "notifications" USING btree ("message_id") WHERE "notifications"."message_id" is not null;