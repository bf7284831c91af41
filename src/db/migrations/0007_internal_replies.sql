ALTER TABLE "notifications" ADD COLUMN "internal" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "telegram_ticket_messages" ADD COLUMN "internal" boolean DEFAULT false NOT NULL;