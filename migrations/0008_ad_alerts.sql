CREATE TABLE `ad_alert_rules` (
	`project_id` text NOT NULL,
	`kind` text NOT NULL,
	`enabled` integer NOT NULL,
	`threshold` real NOT NULL,
	`min_baseline` real NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ad_alert_rules_uq` ON `ad_alert_rules` (`project_id`,`kind`);--> statement-breakpoint
CREATE TABLE `ad_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`kind` text NOT NULL,
	`channel` text NOT NULL,
	`campaign_id` text NOT NULL,
	`campaign_name` text NOT NULL,
	`day` text NOT NULL,
	`state` text NOT NULL,
	`observed` real NOT NULL,
	`baseline` real NOT NULL,
	`threshold` real NOT NULL,
	`message` text NOT NULL,
	`run_id` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`acknowledged_at` integer,
	`resolved_at` integer,
	`resolved_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ad_alerts_uq` ON `ad_alerts` (`project_id`,`kind`,`channel`,`campaign_id`,`day`);--> statement-breakpoint
CREATE INDEX `ad_alerts_list_idx` ON `ad_alerts` (`project_id`,`first_seen_at`);--> statement-breakpoint
CREATE TABLE `ad_insights` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`run_id` text NOT NULL,
	`as_of` text NOT NULL,
	`snapshot` text NOT NULL,
	`report` text NOT NULL,
	`provider` text NOT NULL,
	`fallback_reason` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ad_insights_project_idx` ON `ad_insights` (`project_id`,`created_at`);