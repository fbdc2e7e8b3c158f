CREATE TABLE `allocations` (
	`project_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`version` integer NOT NULL,
	`strategy` text NOT NULL,
	`weights` text NOT NULL,
	`started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `allocations_version_uq` ON `allocations` (`experiment_id`,`version`);--> statement-breakpoint
CREATE TABLE `experiment_history` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`reason` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `experiment_history_idx` ON `experiment_history` (`project_id`,`experiment_id`,`at`);--> statement-breakpoint
CREATE TABLE `variant_allocation_stats` (
	`project_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`variant_id` text NOT NULL,
	`allocation` integer NOT NULL,
	`impressions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`variant_id`, `allocation`)
);
--> statement-breakpoint
CREATE INDEX `variant_allocation_stats_experiment_idx` ON `variant_allocation_stats` (`project_id`,`experiment_id`);--> statement-breakpoint
DROP INDEX `variants_text_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `variants_text_uq` ON `variants` (`experiment_id`,`normalized`) WHERE source != 'holdout';--> statement-breakpoint
ALTER TABLE `experiments` ADD `goal_metric` text DEFAULT 'opened' NOT NULL;--> statement-breakpoint
ALTER TABLE `experiments` ADD `holdout_share` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `experiments` ADD `min_sample` integer DEFAULT 100 NOT NULL;--> statement-breakpoint
ALTER TABLE `experiments` ADD `traffic_floor` real DEFAULT 0.01 NOT NULL;--> statement-breakpoint
ALTER TABLE `experiments` ADD `retire_below` real DEFAULT 0.01 NOT NULL;--> statement-breakpoint
ALTER TABLE `experiments` ADD `on_winner` text DEFAULT 'keep_testing' NOT NULL;--> statement-breakpoint
ALTER TABLE `experiments` ADD `winner_variant_id` text;--> statement-breakpoint
ALTER TABLE `experiments` ADD `data_at` integer;--> statement-breakpoint
ALTER TABLE `experiments` ADD `published_at` integer;--> statement-breakpoint
ALTER TABLE `experiments` ADD `analyzed_at` integer;--> statement-breakpoint
ALTER TABLE `experiments` ADD `decision` text;--> statement-breakpoint
CREATE INDEX `experiments_project_idx` ON `experiments` (`project_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `impressions` ADD `allocation` integer;--> statement-breakpoint
-- Hand-added (ADR 0007): impressions per allocation version, for the sample-ratio test.
CREATE TRIGGER `impressions_allocation_count` AFTER INSERT ON `impressions` WHEN NEW.`allocation` IS NOT NULL BEGIN
	INSERT INTO `variant_allocation_stats` (`project_id`, `experiment_id`, `variant_id`, `allocation`, `impressions`)
	VALUES (NEW.`project_id`, NEW.`experiment_id`, NEW.`variant_id`, NEW.`allocation`, 1)
	ON CONFLICT (`variant_id`, `allocation`) DO UPDATE SET `impressions` = `impressions` + 1;
END;--> statement-breakpoint
-- An impression message that arrives after its event filled in the implied row sets the version
-- once; a redelivery finds it set and counts nothing.
CREATE TRIGGER `impressions_allocation_late` AFTER UPDATE OF `allocation` ON `impressions`
WHEN OLD.`allocation` IS NULL AND NEW.`allocation` IS NOT NULL BEGIN
	INSERT INTO `variant_allocation_stats` (`project_id`, `experiment_id`, `variant_id`, `allocation`, `impressions`)
	VALUES (NEW.`project_id`, NEW.`experiment_id`, NEW.`variant_id`, NEW.`allocation`, 1)
	ON CONFLICT (`variant_id`, `allocation`) DO UPDATE SET `impressions` = `impressions` + 1;
END;
