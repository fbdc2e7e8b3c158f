export { BudgetExceeded, type BudgetName, type Budgets, DEFAULT_BUDGETS, type Usage } from "./budgets";
export { capDiff, diffLines, type FileChange, MAX_DIFF_BYTES, unifiedDiff, unifiedDiffOf } from "./diff";
export { type ExperimentSpec, experimentProblems, type SegmentSpec } from "./experiment";
export { describeFailure } from "./failure";
export type {
  AgentModel,
  ModelReply,
  ModelRequest,
  ToolCall,
  ToolDeclaration,
  ToolResult,
  ToolSchema,
  Turn,
} from "./model";
export {
  type ChangedFile,
  type RunInput,
  type RunOutcome,
  type RunPhase,
  runImplementation,
} from "./run";
