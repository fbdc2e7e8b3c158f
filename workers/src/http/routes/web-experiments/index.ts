import type { App } from "../../types";
import { registerActivateWebExperiment } from "./activate-web-experiment";
import { registerCreateWebExperiment } from "./create-web-experiment";
import { registerDeleteWebExperiment } from "./delete-web-experiment";
import { registerExportWebEvents } from "./export-web-events";
import { registerFinishWebExperiment } from "./finish-web-experiment";
import { registerGetWebDiff } from "./get-web-diff";
import { registerGetWebExperiment } from "./get-web-experiment";
import { registerGetWebResults } from "./get-web-results";
import { registerGetWebStatus } from "./get-web-status";
import { registerImplementWebExperiment } from "./implement";
import { registerListWebExperiments } from "./list-web-experiments";
import { registerSetWebPreviewUrl } from "./set-preview-url";
import { registerUpdateWebExperiment } from "./update-web-experiment";

/** Every /v1/web-experiments route: definition, lifecycle, agent status, results and raw events. */
export function registerWebExperimentRoutes(app: App) {
  registerListWebExperiments(app);
  registerCreateWebExperiment(app);
  registerGetWebExperiment(app);
  registerUpdateWebExperiment(app);
  registerDeleteWebExperiment(app);
  registerSetWebPreviewUrl(app);
  registerActivateWebExperiment(app);
  registerFinishWebExperiment(app);
  registerImplementWebExperiment(app);
  registerGetWebStatus(app);
  registerGetWebDiff(app);
  registerGetWebResults(app);
  registerExportWebEvents(app);
}
