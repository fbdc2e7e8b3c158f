DROP INDEX `deliveries_project_idx`;--> statement-breakpoint
CREATE INDEX `deliveries_project_idx` ON `deliveries` (`project_id`,`created_at`,`status`,`clicked_at`);--> statement-breakpoint
CREATE INDEX `email_messages_status_idx` ON `email_messages` (`campaign_id`,`status`);--> statement-breakpoint
CREATE INDEX `subscriptions_expired_idx` ON `subscriptions` (`project_id`,`expired_at`) WHERE "subscriptions"."expired_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `subscriptions_deleted_idx` ON `subscriptions` (`project_id`,`deleted_at`) WHERE "subscriptions"."deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `subscriptions_active_idx` ON `subscriptions` (`project_id`) WHERE "subscriptions"."enabled" = 1 AND "subscriptions"."deleted_at" IS NULL AND "subscriptions"."expired_at" IS NULL;