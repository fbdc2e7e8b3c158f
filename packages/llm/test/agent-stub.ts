import {
  apiError,
  type GeminiStub,
  type RecordedRequest,
  type StubReply,
  startGeminiStub,
} from "./gemini-stub";

/** One scripted generateContent answer: function calls, text, or an HTTP failure. */
export type AgentStubStep =
  | {
      calls: { name: string; args: Record<string, unknown>; id?: string; thoughtSignature?: string }[];
      text?: string;
      tokens?: number;
    }
  | { text: string; tokens?: number }
  | { reply: StubReply };

/**
 * A Gemini stand-in for the agent: it answers generateContent with a queued list of responses
 * (functionCall parts or text) in the REST protocol's shape, and records every request so tests
 * can assert what the client sent back (functionResponse parts, tools, system instruction).
 */
export interface AgentStub {
  baseUrl: string;
  requests: RecordedRequest[];
  queue: AgentStubStep[];
  close: () => Promise<void>;
}

export function functionCallReply(step: Extract<AgentStubStep, { calls: unknown }>): unknown {
  return {
    candidates: [
      {
        content: {
          role: "model",
          parts: [
            ...(step.text ? [{ text: step.text }] : []),
            ...step.calls.map((call) => ({
              functionCall: { name: call.name, args: call.args, ...(call.id ? { id: call.id } : {}) },
              ...(call.thoughtSignature ? { thoughtSignature: call.thoughtSignature } : {}),
            })),
          ],
        },
        finishReason: "STOP",
        index: 0,
      },
    ],
    usageMetadata: {
      promptTokenCount: 900,
      candidatesTokenCount: 100,
      totalTokenCount: step.tokens ?? 1_000,
    },
    modelVersion: "gemini-test",
  };
}

export async function startAgentStub(): Promise<AgentStub> {
  const stub: GeminiStub = await startGeminiStub();
  const agent: AgentStub = {
    baseUrl: stub.baseUrl,
    requests: stub.requests,
    queue: [],
    close: stub.close,
  };
  stub.reply = () => {
    const step = agent.queue.shift();
    if (!step) return { status: 500, json: apiError(500, "the stub's queue is empty", "INTERNAL") };
    if ("reply" in step) return step.reply;
    if ("calls" in step) return { status: 200, json: functionCallReply(step) };
    return {
      status: 200,
      json: {
        candidates: [
          { content: { role: "model", parts: [{ text: step.text }] }, finishReason: "STOP", index: 0 },
        ],
        usageMetadata: { totalTokenCount: step.tokens ?? 500 },
      },
    };
  };
  return agent;
}
