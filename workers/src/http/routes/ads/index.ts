import type { App } from "../../types";
import { registerAcknowledgeAlert } from "./acknowledge-alert";
import { registerConnectChannel } from "./connect-channel";
import { registerDisconnectChannel } from "./disconnect-channel";
import { registerGetAlertRules } from "./get-alert-rules";
import { registerGetInsight } from "./get-insight";
import { registerGetRun } from "./get-run";
import { registerGetSummary } from "./get-summary";
import { registerGetSyncStatus } from "./get-sync-status";
import { registerListAlerts } from "./list-alerts";
import { registerListCampaigns } from "./list-campaigns";
import { registerListChannels } from "./list-channels";
import { registerListRuns } from "./list-runs";
import { registerPauseSync } from "./pause-sync";
import { registerRequestSync } from "./request-sync";
import { registerResolveAlert } from "./resolve-alert";
import { registerResumeSync } from "./resume-sync";
import { registerUpdateAlertRules } from "./update-alert-rules";

/**
 * Every /v1/ads route: channels, campaigns, summary, sync status and runs, run now, pause/resume,
 * and what the syncs found: the latest insight, alerts and their rules.
 */
export function registerAdsRoutes(app: App) {
  registerListChannels(app);
  registerConnectChannel(app);
  registerDisconnectChannel(app);
  registerListCampaigns(app);
  registerGetSummary(app);
  registerGetSyncStatus(app);
  registerListRuns(app);
  registerGetRun(app);
  registerRequestSync(app);
  registerPauseSync(app);
  registerResumeSync(app);
  registerGetInsight(app);
  registerListAlerts(app);
  registerAcknowledgeAlert(app);
  registerResolveAlert(app);
  registerGetAlertRules(app);
  registerUpdateAlertRules(app);
}
