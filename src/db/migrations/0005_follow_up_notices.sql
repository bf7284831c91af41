ALTER TABLE "notifications" ADD COLUMN "message_count" integer;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "shown_count" integer;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "telegram_message_id" bigint;