import type { TargetCandidate } from "../targets";
import type { BudgetMeter } from "./budgets";
import type { AgentModel, ModelReply, ModelRequest, ToolResult, Turn } from "./model";
import { SYSTEM_PROMPT } from "./prompt";
import type { RunInput } from "./run";
import type { WriteSession } from "./session";
import { chooseTargetTool, WRITE_TOOLS } from "./tools";

/** One model call, counted against the token budget. */
async function ask(model: AgentModel, meter: BudgetMeter, request: ModelRequest): Promise<ModelReply> {
  meter.check();
  const reply = await model.next(request);
  meter.used.modelCalls += 1;
  meter.spend("tokens", Math.max(0, reply.tokens));
  return reply;
}

export async function chooseTarget(
  model: AgentModel,
  meter: BudgetMeter,
  turns: Turn[],
  candidates: readonly TargetCandidate[],
): Promise<string> {
  const paths = candidates.map((c) => c.path);
  const tool = chooseTargetTool(paths);
  for (;;) {
    const reply = await ask(model, meter, { system: SYSTEM_PROMPT, turns, tools: [tool], requireCall: true });
    turns.push({ role: "model", text: reply.text, calls: reply.calls });
    if (reply.calls.length === 0) {
      meter.spend("toolCalls", 1);
      turns.push({ role: "user", text: "Call choose_target with one of the candidate paths." });
      continue;
    }
    const results: ToolResult[] = [];
    let chosen: string | null = null;
    for (const call of reply.calls) {
      meter.spend("toolCalls", 1);
      const path = call.args?.path;
      const ok = call.name === "choose_target" && typeof path === "string" && paths.includes(path);
      if (ok && chosen === null) chosen = path;
      results.push({
        ...(call.id !== undefined ? { id: call.id } : {}),
        name: call.name,
        response: ok
          ? { ok: true, path }
          : { error: `Choose one of the candidate paths exactly: ${paths.join(", ")}.` },
      });
    }
    turns.push({ role: "tool", results });
    if (chosen !== null) return chosen;
  }
}

export async function writeLoop(
  input: RunInput,
  meter: BudgetMeter,
  session: WriteSession,
  turns: Turn[],
): Promise<void> {
  for (;;) {
    const reply = await ask(input.model, meter, { system: SYSTEM_PROMPT, turns, tools: WRITE_TOOLS });
    turns.push({ role: "model", text: reply.text, calls: reply.calls });
    if (reply.calls.length === 0) {
      meter.spend("toolCalls", 1);
      turns.push({
        role: "user",
        text: "Continue with the tools: write the files, flush_writes, then finish.",
      });
      continue;
    }
    const results: ToolResult[] = [];
    let finished = false;
    for (const call of reply.calls) {
      meter.spend("toolCalls", 1);
      const outcome = await session.handle(call);
      const path = typeof call.args?.path === "string" ? ` ${call.args.path}` : "";
      const verdict = outcome.response.refused ? ` refused: ${String(outcome.response.reason)}` : "";
      await input.log("write", `${call.name}${path}${verdict}`);
      results.push({
        ...(call.id !== undefined ? { id: call.id } : {}),
        name: call.name,
        response: outcome.response,
      });
      if (outcome.finished) {
        finished = true;
        break;
      }
    }
    turns.push({ role: "tool", results });
    if (finished) return;
  }
}
