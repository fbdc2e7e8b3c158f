CREATE TABLE `github_installations` (
	`project_id` text PRIMARY KEY NOT NULL,
	`installation_id` integer NOT NULL,
	`account_login` text NOT NULL,
	`account_type` text NOT NULL,
	`repository_selection` text,
	`state` text DEFAULT 'active' NOT NULL,
	`connected_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `github_installations_installation_idx` ON `github_installations` (`installation_id`);--> statement-breakpoint
CREATE TABLE `implementation_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`phase` text DEFAULT 'queued' NOT NULL,
	`log` text DEFAULT '[]' NOT NULL,
	`diff` text,
	`files` text,
	`branch` text,
	`pull_number` integer,
	`pull_url` text,
	`usage` text,
	`error` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`heartbeat_at` integer,
	`started_at` integer,
	`finished_at` integer,
	`requested_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `implementation_runs_experiment_idx` ON `implementation_runs` (`project_id`,`experiment_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `implementation_runs_status_idx` ON `implementation_runs` (`status`,`heartbeat_at`);--> statement-breakpoint
CREATE TABLE `web_experiments` (
	`experiment_id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`key` text NOT NULL,
	`hypothesis` text NOT NULL,
	`target_type` text NOT NULL,
	`target` text NOT NULL,
	`segments` text NOT NULL,
	`primary_metric` text NOT NULL,
	`secondary_metrics` text DEFAULT '[]' NOT NULL,
	`preview_url` text,
	`status` text DEFAULT 'draft' NOT NULL,
	`status_reason` text,
	`repository` text,
	`base_branch` text,
	`branch` text,
	`pull_number` integer,
	`pull_url` text,
	`activated_at` integer,
	`finished_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `web_experiments_key_uq` ON `web_experiments` (`project_id`,`key`);--> statement-breakpoint
CREATE INDEX `web_experiments_status_idx` ON `web_experiments` (`project_id`,`status`);--> statement-breakpoint
CREATE INDEX `web_experiments_pull_idx` ON `web_experiments` (`repository`,`pull_number`);--> statement-breakpoint
ALTER TABLE `experiments` ADD `kind` text DEFAULT 'message' NOT NULL;--> statement-breakpoint
-- Campaign subject experiments existed before the column: they are email experiments.
UPDATE `experiments` SET `kind` = 'email' WHERE `intent_id` LIKE 'email:%';
