CREATE TABLE `push_settings` (
	`project_id` text PRIMARY KEY NOT NULL,
	`public_topics` text DEFAULT '[]' NOT NULL,
	`identity_secret` text,
	`identity_secret_created_at` integer,
	`previous_identity_secret` text,
	`previous_identity_secret_expires_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `managed_at` integer;--> statement-breakpoint
-- Rows from before 0005 cannot tell the tenant's changes from anonymous ones: all count as the
-- tenant's, so the anonymous route can no longer re-enable, re-key or re-assign any of them.
UPDATE `subscriptions` SET `managed_at` = `updated_at`;
