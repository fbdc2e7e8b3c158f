ALTER TABLE `api_keys` ADD `login_user_id` text;--> statement-breakpoint
CREATE INDEX `api_keys_login_user_idx` ON `api_keys` (`login_user_id`,`project_id`);--> statement-breakpoint
ALTER TABLE `experiments` ADD `context_hint` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `metrics_require_key` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `impressions` ADD `context` text;