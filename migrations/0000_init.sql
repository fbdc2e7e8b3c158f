CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`digest` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_digest_unique` ON `api_keys` (`digest`);--> statement-breakpoint
CREATE INDEX `api_keys_project_idx` ON `api_keys` (`project_id`);--> statement-breakpoint
CREATE TABLE `experiments` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`intent_id` text NOT NULL,
	`locale` text NOT NULL,
	`base_example` text NOT NULL,
	`strategy` text DEFAULT 'round_robin' NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`context_keys` text DEFAULT '[]' NOT NULL,
	`challenger_count` integer DEFAULT 3 NOT NULL,
	`generation_status` text DEFAULT 'pending' NOT NULL,
	`generation_error` text,
	`generation_attempts` integer DEFAULT 0 NOT NULL,
	`generation_requested_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `experiments_intent_uq` ON `experiments` (`project_id`,`intent_id`,`locale`);--> statement-breakpoint
CREATE INDEX `experiments_generation_idx` ON `experiments` (`generation_status`,`generation_requested_at`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`default_locale` text DEFAULT 'en-US' NOT NULL,
	`challenger_count` integer DEFAULT 3 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text,
	`queue` text NOT NULL,
	`body` text NOT NULL,
	`reason` text NOT NULL,
	`attempts` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_project_idx` ON `dead_letters` (`project_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`variant_id` text NOT NULL,
	`impression_id` text NOT NULL,
	`type` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`impression_at` integer NOT NULL,
	`day` text NOT NULL,
	`properties` text,
	`received_at` integer NOT NULL,
	`ingest_batch` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_impression_type_uq` ON `events` (`impression_id`,`type`);--> statement-breakpoint
CREATE INDEX `events_variant_idx` ON `events` (`project_id`,`variant_id`,`impression_at`);--> statement-breakpoint
CREATE INDEX `events_batch_idx` ON `events` (`ingest_batch`);--> statement-breakpoint
CREATE TABLE `impressions` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`variant_id` text NOT NULL,
	`user_id` text,
	`day` text NOT NULL,
	`created_at` integer NOT NULL,
	`ingest_batch` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `impressions_variant_idx` ON `impressions` (`project_id`,`variant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `impressions_batch_idx` ON `impressions` (`ingest_batch`);--> statement-breakpoint
CREATE TABLE `variant_daily_stats` (
	`project_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`variant_id` text NOT NULL,
	`day` text NOT NULL,
	`impressions` integer DEFAULT 0 NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`conversions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`variant_id`, `day`)
);
--> statement-breakpoint
CREATE INDEX `variant_daily_stats_experiment_idx` ON `variant_daily_stats` (`project_id`,`experiment_id`,`day`);--> statement-breakpoint
CREATE TABLE `variants` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`text` text NOT NULL,
	`normalized` text NOT NULL,
	`source` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`experiment_id`) REFERENCES `experiments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `variants_text_uq` ON `variants` (`experiment_id`,`normalized`);--> statement-breakpoint
CREATE INDEX `variants_project_idx` ON `variants` (`project_id`,`experiment_id`);