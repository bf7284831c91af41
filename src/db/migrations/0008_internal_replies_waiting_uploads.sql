DROP INDEX "attachments_orphan_idx";--> statement-breakpoint
ALTER TABLE "attachments" ADD COLUMN "attached_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "internal" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "telegram_ticket_messages" ADD COLUMN "internal" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Files in a message are attached. Files on a ticket but in no message are its own files when
-- they were uploaded before it (named at its creation); those uploaded after it still wait.
UPDATE "attachments" SET "attached_at" = "created_at" WHERE "message_id" IS NOT NULL;--> statement-breakpoint
UPDATE "attachments" AS a SET "attached_at" = a."created_at" FROM "tickets" AS t
  WHERE a."message_id" IS NULL AND a."ticket_id" = t."id" AND a."created_at" < t."created_at";--> statement-breakpoint
CREATE INDEX "attachments_waiting_idx" ON "attachments" USING btree ("uploader_id","created_at") WHERE "attachments"."attached_at" is null;