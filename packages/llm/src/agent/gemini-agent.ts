// Function calling through the web build of @google/genai (what wrangler bundles for workerd).

import type { Content, FunctionDeclaration, GenerateContentResponse, Part, Schema } from "@google/genai/web";
import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type } from "@google/genai/web";
import { isLlmError, LlmError } from "../errors";
import { parseRetryAfter } from "../gemini";
import type {
  AgentModelLike,
  AgentModelReply,
  AgentModelRequest,
  AgentToolCall,
  AgentToolSchema,
  AgentTurn,
} from "./types";

export const DEFAULT_AGENT_TIMEOUT_MS = 120_000;
const TEMPERATURE = 0.2;

type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface GeminiAgentOptions {
  apiKey: string;
  model: string;
  /** Defaults to https://generativelanguage.googleapis.com. */
  baseUrl?: string;
  /** Used for every HTTP request. */
  fetch?: typeof fetch;
  /** Wall-clock limit of one model turn; a turn writes whole files, so it is longer than a variant call. */
  timeoutMs?: number;
}

const TYPE: Record<AgentToolSchema["type"], Type> = {
  object: Type.OBJECT,
  string: Type.STRING,
  number: Type.NUMBER,
  integer: Type.INTEGER,
  boolean: Type.BOOLEAN,
  array: Type.ARRAY,
};

function toSchema(schema: AgentToolSchema): Schema {
  return {
    type: TYPE[schema.type],
    ...(schema.description !== undefined ? { description: schema.description } : {}),
    ...(schema.enum !== undefined ? { enum: [...schema.enum], format: "enum" } : {}),
    ...(schema.required !== undefined ? { required: [...schema.required] } : {}),
    ...(schema.items !== undefined ? { items: toSchema(schema.items) } : {}),
    ...(schema.properties !== undefined
      ? {
          properties: Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, toSchema(v)])),
        }
      : {}),
  };
}

/** The agent's history as Gemini contents: tool results go back as functionResponse parts of a user turn. */
export function toContents(turns: readonly AgentTurn[]): Content[] {
  const contents = turns.map((turn): Content => {
    if (turn.role === "user") return { role: "user", parts: [{ text: turn.text }] };
    if (turn.role === "tool") {
      return {
        role: "user",
        parts: turn.results.map(
          (result): Part => ({
            functionResponse: {
              ...(result.id !== undefined ? { id: result.id } : {}),
              name: result.name,
              response: result.response,
            },
          }),
        ),
      };
    }
    const parts: Part[] = [];
    if (turn.text) parts.push({ text: turn.text });
    for (const call of turn.calls) {
      parts.push({
        functionCall: { ...(call.id !== undefined ? { id: call.id } : {}), name: call.name, args: call.args },
        ...(call.opaque !== undefined ? { thoughtSignature: call.opaque } : {}),
      });
    }
    return { role: "model", parts };
  });
  // Tool results followed by the next instruction are both the user's: one content with both
  // parts keeps the roles alternating, as the API expects.
  const merged: Content[] = [];
  for (const content of contents) {
    const last = merged[merged.length - 1];
    if (last && last.role === content.role) last.parts = [...(last.parts ?? []), ...(content.parts ?? [])];
    else merged.push(content);
  }
  return merged;
}

/** The reply's function calls, visible text and token count; a blocked or empty reply is an LlmError. */
export function fromResponse(response: GenerateContentResponse): AgentModelReply {
  const blocked = response.promptFeedback?.blockReason;
  if (blocked) throw new LlmError("bad_request", `Gemini blocked the prompt (${blocked})`);
  const candidate = response.candidates?.[0];
  const parts = candidate?.content?.parts ?? [];
  const calls: AgentToolCall[] = [];
  const texts: string[] = [];
  for (const part of parts) {
    if (part.functionCall?.name) {
      calls.push({
        ...(part.functionCall.id ? { id: part.functionCall.id } : {}),
        name: part.functionCall.name,
        args: part.functionCall.args ?? {},
        ...(part.thoughtSignature ? { opaque: part.thoughtSignature } : {}),
      });
    } else if (typeof part.text === "string" && part.thought !== true) {
      texts.push(part.text);
    }
  }
  const text = texts.join("").trim();
  if (calls.length === 0 && text === "") {
    // MALFORMED_FUNCTION_CALL and empty turns happen now and then; the same request may succeed.
    throw new LlmError(
      "malformed",
      `Gemini returned neither text nor a function call (finishReason ${candidate?.finishReason ?? "none"})`,
    );
  }
  return { calls, text: text === "" ? null : text, tokens: response.usageMetadata?.totalTokenCount ?? 0 };
}

/** An AgentModel on Gemini function calling. */
export function createGeminiAgentModel(opts: GeminiAgentOptions): AgentModelLike {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS;
  const userFetch = opts.fetch;
  const baseFetch: FetchLike = userFetch ? (i, init) => userFetch(i, init) : (i, init) => fetch(i, init);
  const configError = checkConfig(opts, timeoutMs);
  const ai = configError
    ? undefined
    : new GoogleGenAI({
        apiKey: opts.apiKey,
        // Function calling with thought signatures is documented on v1beta.
        apiVersion: "v1beta",
        httpOptions: { ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}), timeout: timeoutMs },
      });

  return {
    async next(request: AgentModelRequest): Promise<AgentModelReply> {
      if (!ai) throw configError ?? new LlmError("bad_request", "Gemini agent model is misconfigured");
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      let last: { status: number; retryAfter: string | null } | undefined;
      const recordingFetch: FetchLike = async (i, init) => {
        const response = await baseFetch(i, init);
        last = { status: response.status, retryAfter: response.headers.get("retry-after") };
        return response;
      };
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener("abort", () => reject(new LlmError("timeout", "aborted")), {
          once: true,
        });
      });
      const declarations: FunctionDeclaration[] = request.tools.map((tool) => ({
        name: tool.name,
        description: tool.description,
        parameters: toSchema(tool.parameters),
      }));
      const call = ai.models.generateContent({
        model: opts.model,
        contents: toContents(request.turns),
        config: {
          systemInstruction: request.system,
          tools: declarations.length > 0 ? [{ functionDeclarations: declarations }] : [],
          toolConfig: {
            functionCallingConfig: {
              mode: request.requireCall ? FunctionCallingConfigMode.ANY : FunctionCallingConfigMode.AUTO,
            },
          },
          // We run the tools ourselves: the SDK must not try to call anything.
          automaticFunctionCalling: { disable: true },
          temperature: TEMPERATURE,
          candidateCount: 1,
          abortSignal: controller.signal,
          httpOptions: { fetch: recordingFetch },
        },
      });
      call.catch(() => {});
      aborted.catch(() => {});
      try {
        return fromResponse(await Promise.race([call, aborted]));
      } catch (err) {
        throw toAgentLlmError(err, timedOut, timeoutMs, last);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function checkConfig(opts: GeminiAgentOptions, timeoutMs: number): LlmError | undefined {
  if (!opts.apiKey || opts.apiKey.trim() === "") return new LlmError("auth", "Gemini API key is empty");
  if (!opts.model || /\.\.|[?&\s]/.test(opts.model))
    return new LlmError("bad_request", `invalid Gemini model name ${JSON.stringify(opts.model)}`);
  if (!(timeoutMs > 0)) return new LlmError("bad_request", `timeoutMs must be positive, got ${timeoutMs}`);
  return undefined;
}

interface ErrorBody {
  message?: string;
  status?: string;
  details?: { "@type"?: string; reason?: string; retryDelay?: string }[];
}

/** The same classification as the variant provider (gemini.ts): kinds, retryability, retry hints. */
function toAgentLlmError(
  err: unknown,
  timedOut: boolean,
  timeoutMs: number,
  last: { status: number; retryAfter: string | null } | undefined,
): LlmError {
  if (timedOut)
    return new LlmError("timeout", `Gemini did not answer within ${timeoutMs} ms`, { cause: err });
  if (isLlmError(err)) return err;
  const status =
    err instanceof ApiError
      ? err.status
      : err instanceof Error &&
          err.name === "ApiError" &&
          typeof (err as { status?: unknown }).status === "number"
        ? (err as unknown as { status: number }).status
        : undefined;
  if (status !== undefined) {
    let body: ErrorBody | undefined;
    try {
      body = (JSON.parse((err as Error).message) as { error?: ErrorBody }).error;
    } catch {
      body = undefined;
    }
    const label = `Gemini HTTP ${status}${body?.status ? ` ${body.status}` : ""}${body?.message ? `: ${body.message.slice(0, 200)}` : ""}`;
    const delay = body?.details?.find((d) => d["@type"]?.endsWith("google.rpc.RetryInfo"))?.retryDelay;
    const fromBody = delay && /^\d+(\.\d+)?s$/.test(delay) ? Math.ceil(Number.parseFloat(delay)) : undefined;
    const retryAfterSeconds =
      (last?.status === status ? parseRetryAfter(last.retryAfter) : undefined) ?? fromBody;
    const extra = { cause: err, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
    if (status === 429) return new LlmError("rate_limited", label, extra);
    if (status === 401 || status === 403) return new LlmError("auth", label, extra);
    if (
      body?.details?.some(
        (d) => d["@type"]?.endsWith("google.rpc.ErrorInfo") && d.reason?.startsWith("API_KEY"),
      )
    )
      return new LlmError("auth", label, extra);
    if (status === 408) return new LlmError("timeout", label, extra);
    if (status >= 500) return new LlmError("upstream", label, extra);
    return new LlmError("bad_request", label, extra);
  }
  if (err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError"))
    return new LlmError("timeout", `Gemini request aborted: ${err.message}`, { cause: err });
  if (err instanceof SyntaxError)
    return new LlmError("malformed", `Gemini response body is not JSON: ${err.message}`, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new LlmError("upstream", `Gemini request failed: ${message}`, { cause: err });
}
