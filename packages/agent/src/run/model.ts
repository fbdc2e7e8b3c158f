/**
 * The LLM as the agent sees it: one turn at a time, with tools. Providers (Gemini in
 * @pushbunny/llm) implement it structurally; tests script it.
 */

/** A JSON-schema-like description of a tool's arguments (the subset function calling accepts). */
export interface ToolSchema {
  type: "object" | "string" | "number" | "integer" | "boolean" | "array";
  description?: string;
  properties?: Record<string, ToolSchema>;
  required?: string[];
  items?: ToolSchema;
  enum?: string[];
}

export interface ToolDeclaration {
  name: string;
  description: string;
  parameters: ToolSchema & { type: "object" };
}

export interface ToolCall {
  /** The provider's call id, echoed in the result when it gave one. */
  id?: string;
  name: string;
  args: Record<string, unknown>;
  /**
   * Provider data to send back unchanged with this call in later turns (Gemini's thought
   * signature: thinking models refuse a history whose function calls lost it).
   */
  opaque?: string;
}

export interface ToolResult {
  id?: string;
  name: string;
  response: Record<string, unknown>;
}

export type Turn =
  | { role: "user"; text: string }
  | { role: "model"; text: string | null; calls: ToolCall[] }
  | { role: "tool"; results: ToolResult[] };

export interface ModelRequest {
  system: string;
  turns: readonly Turn[];
  tools: readonly ToolDeclaration[];
  /** True when the model must answer with a tool call rather than text. */
  requireCall?: boolean;
}

export interface ModelReply {
  calls: ToolCall[];
  text: string | null;
  /** Tokens this call consumed (prompt and output), for the run's budget. */
  tokens: number;
}

export interface AgentModel {
  next(request: ModelRequest): Promise<ModelReply>;
}
