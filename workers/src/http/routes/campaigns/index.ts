import type { App } from "../../types";
import { registerCreateCampaign } from "./create-campaign";
import { registerDeleteCampaign } from "./delete-campaign";
import { registerGetCampaign } from "./get-campaign";
import { registerListCampaignMessages } from "./list-campaign-messages";
import { registerListCampaigns } from "./list-campaigns";
import { registerListEmailOutbox } from "./list-email-outbox";
import { registerOpenCampaignLive } from "./open-campaign-live";
import { registerSetCampaignStatus } from "./set-campaign-status";
import { registerTestCampaign } from "./test-campaign";
import { registerUpdateCampaign } from "./update-campaign";

/** /v1/campaigns: email campaigns, their schedule and status. */
export function registerCampaignRoutes(app: App) {
  registerCreateCampaign(app);
  registerListCampaigns(app);
  registerGetCampaign(app);
  registerUpdateCampaign(app);
  registerDeleteCampaign(app);
  registerSetCampaignStatus(app);
  registerTestCampaign(app);
  registerListCampaignMessages(app);
  registerOpenCampaignLive(app);
  registerListEmailOutbox(app);
}
