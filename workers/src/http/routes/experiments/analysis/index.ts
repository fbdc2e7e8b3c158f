import type { App } from "../../../types";
import { registerAnalyzeExperiment } from "./analyze-experiment";
import { registerConfirmIteration } from "./confirm-iteration";
import { registerDiscardIteration } from "./discard-iteration";
import { registerGetAnalysis } from "./get-analysis";
import { registerGetProposal } from "./get-proposal";
import { registerProposeIteration } from "./propose-iteration";
import { registerSimulateExperiment } from "./simulate-experiment";

/** POST analyze, GET analysis, POST simulate, POST iterate (+ get, confirm, discard). */
export function registerAnalysisRoutes(app: App) {
  registerAnalyzeExperiment(app);
  registerGetAnalysis(app);
  registerSimulateExperiment(app);
  registerProposeIteration(app);
  registerGetProposal(app);
  registerConfirmIteration(app);
  registerDiscardIteration(app);
}
