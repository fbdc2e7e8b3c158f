// The agent's model interface, restated here so @pushbunny/llm needs no dependency on
// @pushbunny/agent: createGeminiAgentModel satisfies @pushbunny/agent's AgentModel structurally
// (test/agent-model.test.ts checks the two stay assignable).

export interface AgentToolSchema {
  type: "object" | "string" | "number" | "integer" | "boolean" | "array";
  description?: string;
  properties?: Record<string, AgentToolSchema>;
  required?: string[];
  items?: AgentToolSchema;
  enum?: string[];
}

export interface AgentToolDeclaration {
  name: string;
  description: string;
  parameters: AgentToolSchema & { type: "object" };
}

export interface AgentToolCall {
  id?: string;
  name: string;
  args: Record<string, unknown>;
  /** Gemini's thought signature, sent back with the call in later turns. */
  opaque?: string;
}

export interface AgentToolResult {
  id?: string;
  name: string;
  response: Record<string, unknown>;
}

export type AgentTurn =
  | { role: "user"; text: string }
  | { role: "model"; text: string | null; calls: AgentToolCall[] }
  | { role: "tool"; results: AgentToolResult[] };

export interface AgentModelRequest {
  system: string;
  turns: readonly AgentTurn[];
  tools: readonly AgentToolDeclaration[];
  requireCall?: boolean;
}

export interface AgentModelReply {
  calls: AgentToolCall[];
  text: string | null;
  tokens: number;
}

export interface AgentModelLike {
  next(request: AgentModelRequest): Promise<AgentModelReply>;
}
