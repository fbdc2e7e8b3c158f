import type { App } from "../../types";
import { registerConnectChannel } from "./connect-channel";
import { registerDisconnectChannel } from "./disconnect-channel";
import { registerGetRun } from "./get-run";
import { registerGetSummary } from "./get-summary";
import { registerGetSyncStatus } from "./get-sync-status";
import { registerListCampaigns } from "./list-campaigns";
import { registerListChannels } from "./list-channels";
import { registerListRuns } from "./list-runs";
import { registerPauseSync } from "./pause-sync";
import { registerRequestSync } from "./request-sync";
import { registerResumeSync } from "./resume-sync";

/** Every /v1/ads route: channels, campaigns, summary, sync status and runs, run now, pause/resume. */
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
}
