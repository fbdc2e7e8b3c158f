ALTER TABLE `email_campaigns` ADD `send_at_local` text;--> statement-breakpoint
ALTER TABLE `email_campaigns` ADD `time_zone` text;--> statement-breakpoint
ALTER TABLE `email_messages` ADD `due_at` integer;--> statement-breakpoint
ALTER TABLE `projects` ADD `time_zone` text DEFAULT 'UTC' NOT NULL;