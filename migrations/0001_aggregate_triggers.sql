-- Aggregates by trigger (ADR 0006). The consumer used to tag each run's rows with an
-- ingest_batch and re-read them to update variant_daily_stats; triggers now count exactly the
-- rows an INSERT OR IGNORE really inserts, so the tag columns and their indexes go.
-- Hand-edited from drizzle-kit's output: SQLite cannot drop a PRIMARY KEY column, so events is
-- rebuilt (no table references it, so the rebuild cannot cascade). Existing rows are copied
-- before the triggers exist, so nothing already aggregated is counted twice.
DROP INDEX `events_batch_idx`;--> statement-breakpoint
CREATE TABLE `__new_events` (
	`project_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`variant_id` text NOT NULL,
	`impression_id` text NOT NULL,
	`type` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`impression_at` integer NOT NULL,
	`day` text NOT NULL,
	`properties` text,
	`received_at` integer NOT NULL
);--> statement-breakpoint
INSERT INTO `__new_events` (`project_id`, `experiment_id`, `variant_id`, `impression_id`, `type`, `occurred_at`, `impression_at`, `day`, `properties`, `received_at`)
SELECT `project_id`, `experiment_id`, `variant_id`, `impression_id`, `type`, `occurred_at`, `impression_at`, `day`, `properties`, `received_at` FROM `events`;--> statement-breakpoint
DROP TABLE `events`;--> statement-breakpoint
ALTER TABLE `__new_events` RENAME TO `events`;--> statement-breakpoint
CREATE UNIQUE INDEX `events_impression_type_uq` ON `events` (`impression_id`,`type`);--> statement-breakpoint
CREATE INDEX `events_variant_idx` ON `events` (`project_id`,`variant_id`,`impression_at`);--> statement-breakpoint
DROP INDEX `impressions_batch_idx`;--> statement-breakpoint
ALTER TABLE `impressions` DROP COLUMN `ingest_batch`;--> statement-breakpoint
-- Fires only for rows really inserted: INSERT OR IGNORE skips a duplicate without firing.
CREATE TRIGGER `impressions_count` AFTER INSERT ON `impressions` BEGIN
	INSERT INTO `variant_daily_stats` (`project_id`, `experiment_id`, `variant_id`, `day`, `impressions`, `opens`, `conversions`)
	VALUES (NEW.`project_id`, NEW.`experiment_id`, NEW.`variant_id`, NEW.`day`, 1, 0, 0)
	ON CONFLICT (`variant_id`, `day`) DO UPDATE SET `impressions` = `impressions` + 1;
END;--> statement-breakpoint
-- An event implies its impression (ADR 0002): a missing one is created, and counted by the
-- trigger above. A real impression row inserted earlier keeps its user id.
CREATE TRIGGER `events_count` AFTER INSERT ON `events` BEGIN
	INSERT OR IGNORE INTO `impressions` (`id`, `project_id`, `experiment_id`, `variant_id`, `user_id`, `day`, `created_at`)
	VALUES (NEW.`impression_id`, NEW.`project_id`, NEW.`experiment_id`, NEW.`variant_id`, NULL, NEW.`day`, NEW.`impression_at`);
	INSERT INTO `variant_daily_stats` (`project_id`, `experiment_id`, `variant_id`, `day`, `impressions`, `opens`, `conversions`)
	VALUES (NEW.`project_id`, NEW.`experiment_id`, NEW.`variant_id`, NEW.`day`, 0, NEW.`type` = 'opened', NEW.`type` = 'conversion')
	ON CONFLICT (`variant_id`, `day`) DO UPDATE SET
		`opens` = `opens` + excluded.`opens`,
		`conversions` = `conversions` + excluded.`conversions`;
END;
