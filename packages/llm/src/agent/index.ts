export {
  createGeminiAgentModel,
  DEFAULT_AGENT_TIMEOUT_MS,
  fromResponse,
  type GeminiAgentOptions,
  toContents,
} from "./gemini-agent";
export type * from "./types";
