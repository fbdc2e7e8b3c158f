import type { Hono } from "hono";
import { projectOf } from "../context";
import type { DashEnv } from "../types";
import { registerCampaignPage } from "./email-campaign";
import { registerCampaignPages } from "./email-campaigns";
import { registerContactPages } from "./email-contacts";
import { registerImportPages } from "./email-imports";
import { registerOutboxPages } from "./email-outbox";
import { registerSegmentPages } from "./email-segments";
import { registerTemplatePages } from "./email-templates";
import { registerWebhookPages } from "./email-webhooks";

/**
 * The email channel's pages under /app/p/{project}/email (issue 16): contacts and imports,
 * segments, templates, campaigns with live counters, the development outbox; and the outbound
 * webhooks under settings.
 */
export function registerEmailPages(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/email", async (c) => {
    const { projectId } = await projectOf(c, "read");
    return c.redirect(`/app/p/${projectId}/email/campaigns`, 303);
  });
  registerContactPages(dash);
  registerImportPages(dash);
  registerSegmentPages(dash);
  registerTemplatePages(dash);
  registerCampaignPages(dash);
  registerCampaignPage(dash);
  registerOutboxPages(dash);
  registerWebhookPages(dash);
}
