CREATE TABLE `email_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`subject` text NOT NULL,
	`preheader` text DEFAULT '' NOT NULL,
	`html` text NOT NULL,
	`text` text,
	`from_name` text,
	`reply_to` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `email_templates_project_idx` ON `email_templates` (`project_id`,`created_at`,`id`);