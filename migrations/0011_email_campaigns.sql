CREATE TABLE `email_campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`from_address` text NOT NULL,
	`reply_to` text,
	`template_id` text NOT NULL,
	`segment_id` text,
	`subjects` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`send_at` integer,
	`experiment_id` text,
	`arms` text,
	`recipients` integer DEFAULT 0 NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`started_at` integer,
	`completed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `email_campaigns_project_idx` ON `email_campaigns` (`project_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `email_campaigns_due_idx` ON `email_campaigns` (`status`,`send_at`);--> statement-breakpoint
CREATE TABLE `email_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`email` text NOT NULL,
	`batch` integer NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`variant_id` text,
	`tracking_token` text,
	`provider_message_id` text,
	`links` text,
	`error` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`sent_at` integer,
	`opened_at` integer,
	`machine_open` integer,
	`clicked_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_messages_recipient_uq` ON `email_messages` (`campaign_id`,`contact_id`);--> statement-breakpoint
CREATE INDEX `email_messages_batch_idx` ON `email_messages` (`campaign_id`,`batch`);--> statement-breakpoint
CREATE TABLE `email_outbox` (
	`provider_message_id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`message_id` text NOT NULL,
	`to_address` text NOT NULL,
	`from_address` text NOT NULL,
	`subject` text NOT NULL,
	`html` text NOT NULL,
	`text` text NOT NULL,
	`headers` text,
	`idempotency_key` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `email_outbox_project_idx` ON `email_outbox` (`project_id`,`created_at`);