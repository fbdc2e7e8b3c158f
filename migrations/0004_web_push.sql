CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`notification_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status` integer,
	`error` text,
	`variant_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`delivered_at` integer,
	`clicked_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_recipient_uq` ON `deliveries` (`notification_id`,`subscription_id`);--> statement-breakpoint
CREATE INDEX `deliveries_project_idx` ON `deliveries` (`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `deliveries_pending_idx` ON `deliveries` (`updated_at`) WHERE "deliveries"."status" = 'pending';--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`type` text NOT NULL,
	`target` text NOT NULL,
	`payload` text NOT NULL,
	`ttl` integer NOT NULL,
	`urgency` text,
	`topic` text,
	`status` text NOT NULL,
	`scheduled_at` integer,
	`dispatched_at` integer,
	`recipients` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `notifications_project_idx` ON `notifications` (`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `notifications_due_idx` ON `notifications` (`status`,`scheduled_at`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`endpoint` text NOT NULL,
	`p256dh` text NOT NULL,
	`auth` text NOT NULL,
	`topics` text DEFAULT '[]' NOT NULL,
	`user_id` text,
	`enabled` integer DEFAULT true NOT NULL,
	`vapid_key_id` text NOT NULL,
	`expired_at` integer,
	`deleted_at` integer,
	`last_sent_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_endpoint_uq` ON `subscriptions` (`project_id`,`endpoint`);--> statement-breakpoint
CREATE INDEX `subscriptions_user_idx` ON `subscriptions` (`project_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `subscriptions_created_idx` ON `subscriptions` (`project_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `vapid_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`public_key` text NOT NULL,
	`private_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`retired_at` integer
);
--> statement-breakpoint
CREATE INDEX `vapid_keys_project_idx` ON `vapid_keys` (`project_id`,`created_at`);