import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseRetryAfter } from "../src/gemini";
import {
  createGeminiProvider,
  createProvider,
  type GenerateInput,
  LlmError,
  type LlmErrorKind,
  validateCandidates,
} from "../src/index";
import { apiError, type GeminiStub, modelReply, startGeminiStub } from "./gemini-stub";

const API_KEY = "test-key-123";
const MODEL = "gemini-test";
const PATH = `/v1/models/${MODEL}:generateContent`;

const INPUT: GenerateInput = {
  baseExample: "Tienes artículos en tu carrito 🛒",
  locale: "es-ES",
  count: 3,
  contextKeys: ["first_name"],
  avoid: ["Tienes artículos en tu carrito 🛒", "¡Tu carrito te espera!"],
  guidance: "Prefer questions; 'urgency' lost last round.",
};

let stub: GeminiStub;

beforeAll(async () => {
  stub = await startGeminiStub();
});
afterAll(async () => {
  await stub.close();
});
beforeEach(() => {
  stub.requests.length = 0;
});

function provider(extra: { timeoutMs?: number; fetch?: typeof fetch; baseUrl?: string } = {}) {
  return createGeminiProvider({ apiKey: API_KEY, model: MODEL, baseUrl: stub.baseUrl, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmError);
  return err as LlmError;
}

function promptOf(body: unknown): string {
  const text = (body as { contents?: { parts?: { text?: string }[] }[] }).contents?.[0]?.parts?.[0]?.text;
  expect(typeof text).toBe("string");
  return text as string;
}

describe("gemini provider against a protocol stub", () => {
  it("sends a structured-output generateContent request and returns the variants", async () => {
    const variants = [
      "¿Sigues pensándolo? Tu carrito 🛒 te espera",
      "{{first_name}}, tu carrito te espera",
      "Vuelve a tu carrito",
    ];
    stub.reply = () => ({ status: 200, json: modelReply(JSON.stringify({ variants })) });

    const out = await provider().generate(INPUT);

    expect(out).toEqual(variants);
    expect(stub.requests).toHaveLength(1);
    const req = stub.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe(PATH);
    expect(req.headers["x-goog-api-key"]).toBe(API_KEY);
    expect(req.headers["content-type"]).toBe("application/json");
    const body = req.body as {
      contents: { role: string; parts: { text: string }[] }[];
      generationConfig: Record<string, unknown>;
    };
    expect(body.contents[0]?.role).toBe("user");
    expect(body.generationConfig.responseMimeType).toBe("application/json");
    expect(body.generationConfig.responseSchema).toEqual({
      type: "OBJECT",
      properties: { variants: { type: "ARRAY", items: { type: "STRING" } } },
      required: ["variants"],
    });
    expect(body.generationConfig.temperature).toBe(0.9);

    const prompt = promptOf(req.body);
    expect(prompt).toContain(JSON.stringify(INPUT.baseExample));
    expect(prompt).toContain("es-ES");
    // The exact name comes from ICU ("European Spanish" today); the language must be named.
    expect(prompt).toMatch(/write every variant in [^\n]*Spanish[^\n]* \(locale es-ES\)/);
    expect(prompt).toContain("Write 5 new challenger variants");
    expect(prompt).toContain("{{first_name}}");
    expect(prompt).toContain("at most 240 characters");
    expect(prompt).toContain(JSON.stringify("¡Tu carrito te espera!"));
    expect(prompt).toContain(JSON.stringify(INPUT.guidance));

    // The variants are raw: callers still validate them.
    expect(
      validateCandidates(out, { avoid: INPUT.avoid, count: 3, contextKeys: INPUT.contextKeys }).accepted,
    ).toEqual(variants);
  });

  it("says so when no placeholders are allowed", async () => {
    stub.reply = () => ({ status: 200, json: modelReply('{"variants":["Uno"]}') });
    await provider().generate({ ...INPUT, contextKeys: [], count: 1 });
    const prompt = promptOf(stub.requests[0]?.body);
    expect(prompt).toContain("Do not use any {{...}} placeholders.");
    expect(prompt).toContain("Write 3 new challenger variants");
  });

  it("routes every request through an injected fetch", async () => {
    stub.reply = () => ({ status: 200, json: modelReply('{"variants":["Hola"]}') });
    const seen: string[] = [];
    const spy: typeof fetch = async (input, init) => {
      seen.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };
    const out = await provider({ fetch: spy }).generate(INPUT);
    expect(out).toEqual(["Hola"]);
    expect(seen).toEqual([`${stub.baseUrl}${PATH}`]);
  });

  it("maps 429 with Retry-After to a retryable rate_limited error", async () => {
    stub.reply = () => ({
      status: 429,
      headers: { "retry-after": "7" },
      json: apiError(429, "Resource has been exhausted (e.g. check quota).", "RESOURCE_EXHAUSTED"),
    });
    const err = await failure(provider().generate(INPUT));
    expect(err.kind).toBe("rate_limited");
    expect(err.retryable).toBe(true);
    expect(err.retryAfterSeconds).toBe(7);
    expect(err.message).toContain("RESOURCE_EXHAUSTED");
  });

  it("reads the delay from RetryInfo when there is no Retry-After header", async () => {
    stub.reply = () => ({
      status: 429,
      json: apiError(429, "You exceeded your current quota.", "RESOURCE_EXHAUSTED", [
        { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaMetric: "requests" }] },
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "36.2s" },
      ]),
    });
    const err = await failure(provider().generate(INPUT));
    expect(err.kind).toBe("rate_limited");
    expect(err.retryAfterSeconds).toBe(37);
  });

  it.each<[number, string, unknown[], LlmErrorKind, boolean]>([
    [500, "INTERNAL", [], "upstream", true],
    [503, "UNAVAILABLE", [], "upstream", true],
    [401, "UNAUTHENTICATED", [], "auth", false],
    [403, "PERMISSION_DENIED", [], "auth", false],
    [400, "INVALID_ARGUMENT", [], "bad_request", false],
    [
      400,
      "INVALID_ARGUMENT",
      [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "API_KEY_INVALID",
          domain: "googleapis.com",
        },
      ],
      "auth",
      false,
    ],
    [404, "NOT_FOUND", [], "bad_request", false],
  ])("maps HTTP %i %s to %s", async (code, status, details, kind, retryable) => {
    stub.reply = () => ({ status: code, json: apiError(code, `stub says ${status}`, status, details) });
    const err = await failure(provider().generate(INPUT));
    expect(err.kind).toBe(kind);
    expect(err.retryable).toBe(retryable);
    expect(err.message).toContain(`HTTP ${code}`);
    expect(err.message).not.toContain(API_KEY);
  });

  it("treats a non-JSON error page as upstream", async () => {
    stub.reply = () => ({ status: 502, text: "<html>Bad Gateway</html>" });
    const err = await failure(provider().generate(INPUT));
    expect(err.kind).toBe("upstream");
    expect(err.retryable).toBe(true);
  });

  it.each([
    ["model text that is not JSON", "Sure! Here are 3 variants: 1. Hola", /invalid JSON/],
    ["JSON of the wrong shape", JSON.stringify({ items: ["Hola"] }), /without a "variants" array/],
    ["variants that is not an array", JSON.stringify({ variants: "Hola" }), /without a "variants" array/],
    ["an empty variants array", JSON.stringify({ variants: [] }), /no string variants/],
  ])("rejects %s as malformed and retryable", async (_, text, message) => {
    stub.reply = () => ({ status: 200, json: modelReply(text) });
    const err = await failure(provider().generate(INPUT));
    expect(err.kind).toBe("malformed");
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(message);
  });

  it("accepts fenced JSON and drops non-string entries", async () => {
    stub.reply = () => ({
      status: 200,
      json: modelReply('```json\n{"variants":["Hola",3,null,"Adiós"]}\n```'),
    });
    expect(await provider().generate(INPUT)).toEqual(["Hola", "Adiós"]);
  });

  it("reports a response without text (e.g. safety stop) as malformed", async () => {
    stub.reply = () => ({
      status: 200,
      json: { candidates: [{ content: { parts: [], role: "model" }, finishReason: "SAFETY" }] },
    });
    const err = await failure(provider().generate(INPUT));
    expect(err.kind).toBe("malformed");
    expect(err.message).toContain("SAFETY");
  });

  it("reports a blocked prompt as a non-retryable bad_request", async () => {
    stub.reply = () => ({ status: 200, json: { promptFeedback: { blockReason: "PROHIBITED_CONTENT" } } });
    const err = await failure(provider().generate(INPUT));
    expect(err.kind).toBe("bad_request");
    expect(err.retryable).toBe(false);
  });

  it("treats a 200 whose body is not JSON as malformed", async () => {
    stub.reply = () => ({ status: 200, text: "<html>captive portal</html>" });
    const err = await failure(provider().generate(INPUT));
    expect(err.kind).toBe("malformed");
  });

  it("times out when the server never answers", async () => {
    stub.reply = () => "hang";
    const started = Date.now();
    const err = await failure(provider({ timeoutMs: 300 }).generate(INPUT));
    const elapsed = Date.now() - started;
    expect(err.kind).toBe("timeout");
    expect(err.retryable).toBe(true);
    expect(err.message).toContain("300 ms");
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
  });

  it("times out even with a fetch that ignores the abort signal", async () => {
    const never: typeof fetch = () => new Promise<Response>(() => {});
    const started = Date.now();
    const err = await failure(provider({ timeoutMs: 200, fetch: never }).generate(INPUT));
    expect(err.kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("stops when the caller aborts", async () => {
    stub.reply = () => "hang";
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const err = await failure(provider({ timeoutMs: 5_000 }).generate(INPUT, { signal: controller.signal }));
    expect(err.kind).toBe("timeout");
    expect(err.message).toContain("aborted by the caller");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("maps a refused connection to a retryable upstream error", async () => {
    // A port that was just in use and is now closed refuses the connection.
    const closed = await startGeminiStub();
    const baseUrl = closed.baseUrl;
    await closed.close();
    const err = await failure(provider({ baseUrl, timeoutMs: 2_000 }).generate(INPUT));
    expect(err.kind).toBe("upstream");
    expect(err.retryable).toBe(true);
  });

  it("refuses invalid input and configuration before any request", async () => {
    const badInput = await failure(provider().generate({ ...INPUT, count: 11 }));
    expect(badInput.kind).toBe("bad_request");
    const badModel = await failure(
      createGeminiProvider({ apiKey: API_KEY, model: "../secrets", baseUrl: stub.baseUrl }).generate(INPUT),
    );
    expect(badModel.kind).toBe("bad_request");
    const noKey = await failure(
      createGeminiProvider({ apiKey: " ", model: MODEL, baseUrl: stub.baseUrl }).generate(INPUT),
    );
    expect(noKey.kind).toBe("auth");
    expect(stub.requests).toHaveLength(0);
  });
});

describe("gemini provider bookkeeping", () => {
  it("keeps concurrent calls' responses apart", async () => {
    stub.reply = (req) =>
      promptOf(req.body).includes("slow lane")
        ? {
            status: 429,
            headers: { "retry-after": "11" },
            json: apiError(429, "quota", "RESOURCE_EXHAUSTED"),
          }
        : { status: 200, json: modelReply('{"variants":["Hola"]}') };
    const p = provider();
    const [limited, ok] = await Promise.allSettled([
      p.generate({ ...INPUT, baseExample: "slow lane" }),
      p.generate(INPUT),
    ]);
    expect(ok).toEqual({ status: "fulfilled", value: ["Hola"] });
    expect(limited.status).toBe("rejected");
    const err = (limited as PromiseRejectedResult).reason as LlmError;
    expect(err.kind).toBe("rate_limited");
    expect(err.retryAfterSeconds).toBe(11);
  });

  it.each<[string | null, number | undefined]>([
    ["120", 120],
    [" 0 ", 0],
    ["Wed, 21 Oct 2015 07:28:30 GMT", 30],
    ["Wed, 21 Oct 2015 07:27:00 GMT", 0],
    ["soon", undefined],
    [null, undefined],
  ])("parses Retry-After %j as %j seconds", (header, seconds) => {
    expect(parseRetryAfter(header, Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(seconds);
  });
});

describe("createProvider", () => {
  it("uses the offline generator without an API key", () => {
    expect(createProvider({}).name).toBe("offline");
    expect(createProvider({ geminiApiKey: "   ", geminiModel: "gemini-2.5-flash" }).name).toBe("offline");
  });

  it("uses Gemini with an API key, defaulting the model", async () => {
    const p = createProvider({ geminiApiKey: API_KEY, geminiBaseUrl: stub.baseUrl });
    expect(p.name).toBe("gemini");
    stub.reply = () => ({ status: 200, json: modelReply('{"variants":["Hola"]}') });
    expect(await p.generate(INPUT)).toEqual(["Hola"]);
    expect(stub.requests[0]?.path).toBe("/v1/models/gemini-2.5-flash:generateContent");
  });
});
