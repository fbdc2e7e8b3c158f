import type { App } from "../../types";
import { registerAddVariant } from "./add-variant";
import { registerAnalysisRoutes } from "./analysis";
import { registerClearWinner } from "./clear-winner";
import { registerDeclareWinner } from "./declare-winner";
import { registerGetExperiment } from "./get-experiment";
import { registerListExperiments } from "./list-experiments";
import { registerRetireVariant } from "./retire-variant";
import { registerSetStatus } from "./set-status";
import { registerUpdateExperiment } from "./update-experiment";

/** Every /v1/experiments route: list, read, settings, pause/resume, variants, winner, analysis. */
export function registerExperimentRoutes(app: App) {
  registerListExperiments(app);
  registerGetExperiment(app);
  registerUpdateExperiment(app);
  registerSetStatus(app);
  registerAddVariant(app);
  registerRetireVariant(app);
  registerDeclareWinner(app);
  registerClearWinner(app);
  registerAnalysisRoutes(app);
}
