CREATE TABLE `ad_campaign_metrics` (
	`project_id` text NOT NULL,
	`channel` text NOT NULL,
	`campaign_id` text NOT NULL,
	`date` text NOT NULL,
	`campaign_name` text NOT NULL,
	`source` text NOT NULL,
	`cost` real NOT NULL,
	`clicks` integer NOT NULL,
	`impressions` integer NOT NULL,
	`engagement` integer NOT NULL,
	`conversions` real NOT NULL,
	`conversion_value` real NOT NULL,
	`conversion_rate` real,
	`roi` real,
	`synced_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ad_campaign_metrics_uq` ON `ad_campaign_metrics` (`project_id`,`channel`,`campaign_id`,`date`);--> statement-breakpoint
CREATE INDEX `ad_campaign_metrics_date_idx` ON `ad_campaign_metrics` (`project_id`,`date`);--> statement-breakpoint
CREATE TABLE `ad_sync_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`since` text NOT NULL,
	`until` text NOT NULL,
	`channels` text,
	`results` text DEFAULT '[]' NOT NULL,
	`rows` integer DEFAULT 0 NOT NULL,
	`attempt` integer DEFAULT 1 NOT NULL,
	`queued_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `ad_sync_runs_project_idx` ON `ad_sync_runs` (`project_id`,`queued_at`);--> statement-breakpoint
CREATE TABLE `channel_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`channel` text NOT NULL,
	`source` text NOT NULL,
	`credentials` text,
	`last_status` text,
	`last_error` text,
	`last_synced_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `channel_accounts_uq` ON `channel_accounts` (`project_id`,`channel`);--> statement-breakpoint
CREATE TABLE `analyses` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`source` text NOT NULL,
	`provider` text NOT NULL,
	`fallback_reason` text,
	`snapshot` text NOT NULL,
	`report` text NOT NULL,
	`decision` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `analyses_experiment_idx` ON `analyses` (`project_id`,`experiment_id`,`source`,`created_at`);--> statement-breakpoint
CREATE TABLE `experiment_proposals` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`analysis_id` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`provider` text NOT NULL,
	`proposal` text NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `experiment_proposals_idx` ON `experiment_proposals` (`project_id`,`experiment_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `simulated_daily_stats` (
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
CREATE INDEX `simulated_daily_stats_experiment_idx` ON `simulated_daily_stats` (`project_id`,`experiment_id`,`day`);--> statement-breakpoint
ALTER TABLE `experiments` ADD `reported_at` integer;--> statement-breakpoint
ALTER TABLE `projects` ADD `ad_sync_paused_at` integer;--> statement-breakpoint
-- Hand-added: simulated traffic (impression ids `sim_…`, minted only by the simulate endpoint)
-- is counted into simulated_daily_stats instead of variant_daily_stats, so a simulation never
-- moves real statistics. Same triggers as migration 0001 otherwise, split by lane.
DROP TRIGGER `impressions_count`;--> statement-breakpoint
DROP TRIGGER `events_count`;--> statement-breakpoint
CREATE TRIGGER `impressions_count` AFTER INSERT ON `impressions` WHEN substr(NEW.`id`, 1, 4) != 'sim_' BEGIN
	INSERT INTO `variant_daily_stats` (`project_id`, `experiment_id`, `variant_id`, `day`, `impressions`, `opens`, `conversions`)
	VALUES (NEW.`project_id`, NEW.`experiment_id`, NEW.`variant_id`, NEW.`day`, 1, 0, 0)
	ON CONFLICT (`variant_id`, `day`) DO UPDATE SET `impressions` = `impressions` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `impressions_count_simulated` AFTER INSERT ON `impressions` WHEN substr(NEW.`id`, 1, 4) = 'sim_' BEGIN
	INSERT INTO `simulated_daily_stats` (`project_id`, `experiment_id`, `variant_id`, `day`, `impressions`, `opens`, `conversions`)
	VALUES (NEW.`project_id`, NEW.`experiment_id`, NEW.`variant_id`, NEW.`day`, 1, 0, 0)
	ON CONFLICT (`variant_id`, `day`) DO UPDATE SET `impressions` = `impressions` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `events_count` AFTER INSERT ON `events` WHEN substr(NEW.`impression_id`, 1, 4) != 'sim_' BEGIN
	INSERT OR IGNORE INTO `impressions` (`id`, `project_id`, `experiment_id`, `variant_id`, `user_id`, `day`, `created_at`)
	VALUES (NEW.`impression_id`, NEW.`project_id`, NEW.`experiment_id`, NEW.`variant_id`, NULL, NEW.`day`, NEW.`impression_at`);
	INSERT INTO `variant_daily_stats` (`project_id`, `experiment_id`, `variant_id`, `day`, `impressions`, `opens`, `conversions`)
	VALUES (NEW.`project_id`, NEW.`experiment_id`, NEW.`variant_id`, NEW.`day`, 0, NEW.`type` = 'opened', NEW.`type` = 'conversion')
	ON CONFLICT (`variant_id`, `day`) DO UPDATE SET
		`opens` = `opens` + excluded.`opens`,
		`conversions` = `conversions` + excluded.`conversions`;
END;--> statement-breakpoint
CREATE TRIGGER `events_count_simulated` AFTER INSERT ON `events` WHEN substr(NEW.`impression_id`, 1, 4) = 'sim_' BEGIN
	INSERT OR IGNORE INTO `impressions` (`id`, `project_id`, `experiment_id`, `variant_id`, `user_id`, `day`, `created_at`)
	VALUES (NEW.`impression_id`, NEW.`project_id`, NEW.`experiment_id`, NEW.`variant_id`, NULL, NEW.`day`, NEW.`impression_at`);
	INSERT INTO `simulated_daily_stats` (`project_id`, `experiment_id`, `variant_id`, `day`, `impressions`, `opens`, `conversions`)
	VALUES (NEW.`project_id`, NEW.`experiment_id`, NEW.`variant_id`, NEW.`day`, 0, NEW.`type` = 'opened', NEW.`type` = 'conversion')
	ON CONFLICT (`variant_id`, `day`) DO UPDATE SET
		`opens` = `opens` + excluded.`opens`,
		`conversions` = `conversions` + excluded.`conversions`;
END;
