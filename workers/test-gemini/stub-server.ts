import { apiError, modelReply, startGeminiStub } from "../../packages/llm/test/gemini-stub";

/**
 * A Gemini REST stand-in for the Worker's integration tests. The scenario is chosen by a
 * marker in the base example (which the prompt always contains), so each test drives its
 * own behaviour without a control channel: `[ok]`, `[429]`, `[malformed-then-ok]`,
 * `[500-then-ok]`, `[hang-then-ok]`, `[auth]`.
 */
export async function startScenarioStub() {
  const stub = await startGeminiStub();
  const seen = new Map<string, number>();
  stub.reply = (req) => {
    const prompt = JSON.stringify(req.body);
    const scenario = /\[(ok|429|malformed-then-ok|500-then-ok|hang-then-ok|auth)\]/.exec(prompt)?.[1] ?? "ok";
    const marker = /\[[a-z0-9-]+\] ([A-Za-z0-9 ]{1,40})/.exec(prompt)?.[1] ?? scenario;
    const attempt = (seen.get(marker) ?? 0) + 1;
    seen.set(marker, attempt);
    const good = modelReply(
      JSON.stringify({
        variants: [
          "Sure! Here are your variants:",
          `Still thinking about it? ${marker}`,
          `Don't miss out: ${marker}`,
          `Good news: ${marker} is waiting`,
          `Last chance for ${marker}`,
        ],
      }),
    );
    switch (scenario) {
      case "429":
        return {
          status: 429,
          json: apiError(429, "Resource has been exhausted", "RESOURCE_EXHAUSTED"),
          headers: { "retry-after": "1" },
        };
      case "auth":
        return { status: 403, json: apiError(403, "Permission denied", "PERMISSION_DENIED") };
      case "malformed-then-ok":
        return attempt === 1
          ? { status: 200, json: modelReply("this is not json {") }
          : { status: 200, json: good };
      case "500-then-ok":
        return attempt === 1
          ? { status: 500, json: apiError(500, "Internal error", "INTERNAL") }
          : { status: 200, json: good };
      case "hang-then-ok":
        return attempt === 1 ? "hang" : { status: 200, json: good };
      default:
        return { status: 200, json: good };
    }
  };
  return stub;
}
