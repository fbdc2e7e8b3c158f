import { apiError, modelReply, startGeminiStub } from "../../packages/llm/test/gemini-stub";
import { agentReply, isAgentRequest } from "./agent-scenarios";

/**
 * A Gemini REST stand-in for the Worker's integration tests. The scenario is chosen by a
 * marker in the base example (which the prompt always contains), so each test drives its
 * own behavior without a control channel: `[ok]`, `[429]`, `[malformed-then-ok]`,
 * `[500-then-ok]`, `[hang-then-ok]`, `[auth]`.
 */
export async function startScenarioStub() {
  const stub = await startGeminiStub();
  const seen = new Map<string, number>();
  stub.reply = (req) => {
    // The implementation agent declares tools; its answers are scripted in agent-scenarios.ts.
    if (isAgentRequest(req.body)) return agentReply(req.body);
    const prompt = JSON.stringify(req.body);
    const text = promptText(req.body);
    if (text.startsWith("PUSHBUNNY ANALYSIS v1"))
      return { status: 200, json: modelReply(JSON.stringify(analysisAnswer(text))) };
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

function promptText(body: unknown): string {
  const b = body as { contents?: { parts?: { text?: string }[] }[] };
  return b.contents?.[0]?.parts?.[0]?.text ?? "";
}

interface StubSnapshot {
  decision: { status: string; variant_id: string | null };
  arms: { label: string; text: string; rate: number; impressions: number }[];
}

/**
 * An analyst's answer written from the snapshot in the prompt, as a well-behaved model would;
 * `[invented]` in the control's copy makes it state a number the snapshot does not hold.
 */
function analysisAnswer(prompt: string) {
  const json = prompt.slice(prompt.indexOf("<<<SNAPSHOT\n") + 12, prompt.indexOf("\nSNAPSHOT>>>"));
  const s = JSON.parse(json) as StubSnapshot;
  const action: Record<string, string> = {
    winner: "promote",
    srm_alarm: "investigate_srm",
    no_difference: "stop",
    underpowered: "keep_testing",
    collecting: "keep_testing",
  };
  const invented = s.arms.some((a) => a.text.includes("[invented]"));
  return {
    summary: `${s.arms.map((a) => `${a.label} is opened ${(a.rate * 100).toFixed(2)}% of the time`).join("; ")}.${invented ? " Expect 48,000 extra opens next month." : ""}`,
    insights: s.arms.map((a) => `${a.label} was sent ${a.impressions} times.`),
    winner_recommendation: {
      action: action[s.decision.status],
      variant_id: s.decision.status === "winner" ? s.decision.variant_id : null,
      rationale: "From the snapshot.",
    },
    plots: [
      {
        type: "bar",
        title: "Sends by arm",
        labels: s.arms.map((a) => a.label),
        datasets: [{ label: "sends", data: s.arms.map((a) => a.impressions) }],
      },
    ],
  };
}
