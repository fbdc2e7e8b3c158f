import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AgentModel } from "../../agent/src/run/model";
import type { AgentModelRequest, AgentTurn } from "../src/agent/types";
import { createGeminiAgentModel, LlmError, type LlmErrorKind } from "../src/index";
import { type AgentStub, startAgentStub } from "./agent-stub";
import { apiError } from "./gemini-stub";

const MODEL = "gemini-test";
let stub: AgentStub;

beforeAll(async () => {
  stub = await startAgentStub();
});
afterAll(async () => {
  await stub.close();
});
beforeEach(() => {
  stub.requests.length = 0;
  stub.queue.length = 0;
});

const model = (extra: { timeoutMs?: number } = {}) =>
  createGeminiAgentModel({ apiKey: "test-key", model: MODEL, baseUrl: stub.baseUrl, ...extra });

const TOOLS: AgentModelRequest["tools"] = [
  {
    name: "choose_target",
    description: "Choose the file.",
    parameters: {
      type: "object",
      properties: { path: { type: "string", enum: ["src/a.tsx", "src/b.tsx"] }, reason: { type: "string" } },
      required: ["path"],
    },
  },
  {
    name: "write_file",
    description: "Write a file.",
    parameters: {
      type: "object",
      properties: { path: { type: "string" }, content: { type: "string" } },
      required: ["path", "content"],
    },
  },
];

type Body = {
  contents: { role: string; parts: Record<string, unknown>[] }[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: { name: string; parameters: Record<string, unknown> }[] }[];
  toolConfig?: { functionCallingConfig?: { mode?: string } };
};

describe("the Gemini agent model against a scripted stub", () => {
  it("satisfies @pushbunny/agent's AgentModel", () => {
    const typed: AgentModel = model();
    expect(typeof typed.next).toBe("function");
  });

  it("declares the tools, sends the system prompt, and maps functionCall parts to calls", async () => {
    stub.queue.push({
      calls: [{ name: "choose_target", args: { path: "src/a.tsx" }, id: "c1", thoughtSignature: "sig-1" }],
      tokens: 1234,
    });
    const reply = await model().next({
      system: "You are the agent.",
      turns: [{ role: "user", text: "Pick a file." }],
      tools: TOOLS,
      requireCall: true,
    });
    expect(reply).toEqual({
      calls: [{ id: "c1", name: "choose_target", args: { path: "src/a.tsx" }, opaque: "sig-1" }],
      text: null,
      tokens: 1234,
    });
    const request = stub.requests[0];
    expect(request?.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(request?.headers["x-goog-api-key"]).toBe("test-key");
    const body = request?.body as Body;
    expect(body.systemInstruction?.parts[0]?.text).toBe("You are the agent.");
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: "Pick a file." }] }]);
    const declarations = body.tools?.[0]?.functionDeclarations ?? [];
    expect(declarations.map((d) => d.name)).toEqual(["choose_target", "write_file"]);
    expect(declarations[0]?.parameters).toMatchObject({
      type: "OBJECT",
      properties: { path: { type: "STRING", enum: ["src/a.tsx", "src/b.tsx"] } },
      required: ["path"],
    });
    expect(body.toolConfig?.functionCallingConfig?.mode).toBe("ANY");
  });

  it("sends model turns with their calls and signatures, and tool results as functionResponse parts", async () => {
    stub.queue.push({ text: "All files are written." });
    const turns: AgentTurn[] = [
      { role: "user", text: "Write the files." },
      {
        role: "model",
        text: "Writing.",
        calls: [{ id: "c2", name: "write_file", args: { path: ".env", content: "X=1" }, opaque: "sig-2" }],
      },
      {
        role: "tool",
        results: [
          {
            id: "c2",
            name: "write_file",
            response: { refused: true, reason: "Hidden files are off limits." },
          },
        ],
      },
    ];
    const reply = await model().next({ system: "s", turns, tools: TOOLS });
    expect(reply).toEqual({ calls: [], text: "All files are written.", tokens: 500 });
    const body = stub.requests[0]?.body as Body;
    expect(body.toolConfig?.functionCallingConfig?.mode).toBe("AUTO");
    expect(body.contents[1]).toEqual({
      role: "model",
      parts: [
        { text: "Writing." },
        {
          functionCall: { id: "c2", name: "write_file", args: { path: ".env", content: "X=1" } },
          thoughtSignature: "sig-2",
        },
      ],
    });
    expect(body.contents[2]).toEqual({
      role: "user",
      parts: [
        {
          functionResponse: {
            id: "c2",
            name: "write_file",
            response: { refused: true, reason: "Hidden files are off limits." },
          },
        },
      ],
    });
  });

  it("merges tool results and the next instruction into one user content", async () => {
    stub.queue.push({ text: "ok" });
    await model().next({
      system: "s",
      tools: TOOLS,
      turns: [
        { role: "user", text: "Pick." },
        { role: "model", text: null, calls: [{ name: "choose_target", args: { path: "src/a.tsx" } }] },
        { role: "tool", results: [{ name: "choose_target", response: { ok: true } }] },
        { role: "user", text: "Now write." },
      ],
    });
    const body = stub.requests[0]?.body as Body;
    expect(body.contents.map((c) => c.role)).toEqual(["user", "model", "user"]);
    expect(body.contents[2]?.parts).toEqual([
      { functionResponse: { name: "choose_target", response: { ok: true } } },
      { text: "Now write." },
    ]);
  });

  it("returns several calls of one turn in order", async () => {
    stub.queue.push({
      calls: [
        { name: "write_file", args: { path: "src/a.tsx", content: "a" } },
        { name: "write_file", args: { path: "src/b.tsx", content: "b" } },
      ],
    });
    const reply = await model().next({ system: "s", turns: [{ role: "user", text: "go" }], tools: TOOLS });
    expect(reply.calls.map((c) => c.args.path)).toEqual(["src/a.tsx", "src/b.tsx"]);
  });

  const failures: [string, () => void, LlmErrorKind, boolean, number | undefined][] = [
    [
      "429 with Retry-After",
      () =>
        stub.queue.push({
          reply: {
            status: 429,
            json: apiError(429, "quota", "RESOURCE_EXHAUSTED"),
            headers: { "retry-after": "17" },
          },
        }),
      "rate_limited",
      true,
      17,
    ],
    [
      "400 API key invalid",
      () =>
        stub.queue.push({
          reply: {
            status: 400,
            json: apiError(400, "API key not valid", "INVALID_ARGUMENT", [
              { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" },
            ]),
          },
        }),
      "auth",
      false,
      undefined,
    ],
    [
      "503",
      () => stub.queue.push({ reply: { status: 503, json: apiError(503, "overloaded", "UNAVAILABLE") } }),
      "upstream",
      true,
      undefined,
    ],
    [
      "400 bad request",
      () =>
        stub.queue.push({ reply: { status: 400, json: apiError(400, "bad schema", "INVALID_ARGUMENT") } }),
      "bad_request",
      false,
      undefined,
    ],
    [
      "an empty turn",
      () =>
        stub.queue.push({
          reply: {
            status: 200,
            json: {
              candidates: [
                { content: { role: "model", parts: [] }, finishReason: "MALFORMED_FUNCTION_CALL" },
              ],
            },
          },
        }),
      "malformed",
      true,
      undefined,
    ],
    ["a hung request", () => stub.queue.push({ reply: "hang" }), "timeout", true, undefined],
  ];
  for (const [name, arrange, kind, retryable, retryAfter] of failures) {
    it(`${name} → LlmError ${kind}`, async () => {
      arrange();
      const err = await model({ timeoutMs: 300 })
        .next({ system: "s", turns: [{ role: "user", text: "go" }], tools: TOOLS })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(LlmError);
      expect(err).toMatchObject({ kind, retryable });
      expect((err as LlmError).retryAfterSeconds).toBe(retryAfter);
    });
  }

  it("an empty API key fails on the call, without a request", async () => {
    const err = await createGeminiAgentModel({ apiKey: " ", model: MODEL, baseUrl: stub.baseUrl })
      .next({ system: "s", turns: [], tools: [] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "auth" });
    expect(stub.requests).toHaveLength(0);
  });
});
