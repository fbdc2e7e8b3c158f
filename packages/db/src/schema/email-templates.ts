import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Email templates: Mustache subject, preheader, HTML and text parts. `text` null means the text
 * part is derived from the HTML when rendered, so it never drifts from an edited HTML part.
 */
export const emailTemplates = sqliteTable(
  "email_templates",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    name: text("name").notNull(),
    subject: text("subject").notNull(),
    preheader: text("preheader").notNull().default(""),
    html: text("html").notNull(),
    text: text("text"),
    fromName: text("from_name"),
    replyTo: text("reply_to"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("email_templates_project_idx").on(t.projectId, t.createdAt, t.id)],
);

export type EmailTemplateRow = typeof emailTemplates.$inferSelect;
export type NewEmailTemplateRow = typeof emailTemplates.$inferInsert;
