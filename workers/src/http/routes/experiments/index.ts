import type { App } from "../../types";
import { registerAddVariant } from "./add-variant";
import { registerAnalysisRoutes } from "./analysis";
import { registerClearWinner } from "./clear-winner";
import { registerDeclareWinner } from "./declare-winner";
import { registerGetExperiment } from "./get-experiment";
import { registerListExperiments } from "./list-experiments";
import { registerPauseExperiment } from "./pause-experiment";
import { registerResumeExperiment } from "./resume-experiment";
import { registerRetireVariant } from "./retire-variant";
import { registerUpdateExperiment } from "./update-experiment";

/** Every /v1/experiments route: list, read, settings, pause/resume, variants, winner, analysis. */
export function registerExperimentRoutes(app: App) {
  registerListExperiments(app);
  registerGetExperiment(app);
  registerUpdateExperiment(app);
  registerPauseExperiment(app);
  registerResumeExperiment(app);
  registerAddVariant(app);
  registerRetireVariant(app);
  registerDeclareWinner(app);
  registerClearWinner(app);
  registerAnalysisRoutes(app);
}
