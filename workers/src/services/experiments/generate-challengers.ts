import { newId, normalizeText } from "@pushbunny/core";
import {
  addChallengers,
  countsFromAggregates,
  type ExperimentWithVariants,
  findExperiment,
  markGeneration,
} from "@pushbunny/db";
import { LlmError, validateCandidates } from "@pushbunny/llm";
import type { AppContext } from "../../context";
import { refreshPool } from "../../infra/pool";
import { MAX_VARIANTS } from "./variant-rules";

export type GenerateOutcome =
  | { kind: "done"; added: number }
  | { kind: "skipped"; reason: string }
  | { kind: "retry"; reason: string; delaySeconds?: number }
  | { kind: "failed"; reason: string };

/**
 * Asks the LLM provider for challengers, validates them and adds them to the pool. Never
 * throws for provider trouble: the caller retries or gives up based on the outcome, and the
 * experiment keeps serving its control meanwhile.
 */
export async function generateChallengers({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { projectId: string; experimentId: string; attempt: number; maxAttempts: number };
}): Promise<GenerateOutcome> {
  const found = await findExperiment(ctx.db, input.projectId, input.experimentId);
  if (!found) return { kind: "skipped", reason: "experiment not found" };
  const { experiment } = found;
  if (experiment.generationStatus !== "pending")
    return { kind: "skipped", reason: `generation is ${experiment.generationStatus}` };

  // Retired texts stay in the avoid list: a loser must not come back.
  const existing = found.variants.filter((v) => v.source !== "holdout").map((v) => v.text);
  const activeChallengers = found.variants.filter(
    (v) => (v.source === "llm" || v.source === "manual") && v.status !== "retired",
  ).length;
  const wanted = Math.min(
    experiment.challengerCount - activeChallengers,
    MAX_VARIANTS - found.variants.length,
  );
  const now = ctx.now();
  if (wanted <= 0) {
    await markGeneration(ctx.db, {
      ...ids(input),
      status: "ready",
      error: null,
      attempts: experiment.generationAttempts,
      now,
    });
    return { kind: "skipped", reason: "pool already complete" };
  }

  let reason: string;
  let retryable = true;
  let delaySeconds: number | undefined;
  try {
    const raw = await ctx.llm.generate(
      {
        baseExample: experiment.baseExample,
        locale: experiment.locale,
        count: wanted,
        contextKeys: experiment.contextKeys,
        avoid: existing,
        guidance: await resultsGuidance(ctx, found),
        ...(experiment.contextHint ? { contextHint: experiment.contextHint } : {}),
      },
      // The provider enforces the LLM timeout itself; this is the backstop for a provider that does not.
      { signal: AbortSignal.timeout(ctx.config.llmTimeoutMs + 5_000) },
    );
    const { accepted, rejected } = validateCandidates(raw, {
      avoid: existing,
      count: wanted,
      contextKeys: experiment.contextKeys,
    });
    if (rejected.length > 0) {
      ctx.logger.info("challengers rejected", {
        experimentId: experiment.id,
        provider: ctx.llm.name,
        rejected,
      });
    }
    if (accepted.length > 0) {
      await addChallengers(ctx.db, {
        projectId: experiment.projectId,
        experimentId: experiment.id,
        challengers: accepted.map((text) => ({ id: newId("var"), text, normalized: normalizeText(text) })),
        now,
      });
      await refreshPool(ctx, {
        projectId: experiment.projectId,
        intentId: experiment.intentId,
        locale: experiment.locale,
      });
      ctx.logger.info("challengers added", {
        experimentId: experiment.id,
        provider: ctx.llm.name,
        added: accepted.length,
      });
      return { kind: "done", added: accepted.length };
    }
    reason = `${ctx.llm.name}: no usable challengers (${rejected.map((r) => r.reason).join(", ") || "empty answer"})`;
  } catch (err) {
    if (err instanceof LlmError) {
      reason = `${ctx.llm.name} ${err.kind}: ${err.message}`;
      retryable = err.retryable;
      delaySeconds = err.retryAfterSeconds;
    } else {
      reason = `${ctx.llm.name} error: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  const finalAttempt = !retryable || input.attempt >= input.maxAttempts;
  await markGeneration(ctx.db, {
    ...ids(input),
    status: finalAttempt ? "failed" : "pending",
    error: finalAttempt ? reason : `attempt ${input.attempt} failed, retrying: ${reason}`,
    attempts: experiment.generationAttempts,
    requestedAt: now,
    now,
  });
  if (finalAttempt) {
    await refreshPool(ctx, {
      projectId: experiment.projectId,
      intentId: experiment.intentId,
      locale: experiment.locale,
    });
    ctx.logger.warn("challenger generation failed", { experimentId: experiment.id, reason });
    return { kind: "failed", reason };
  }
  return { kind: "retry", reason, delaySeconds };
}

const ids = (input: { projectId: string; experimentId: string }) => ({
  projectId: input.projectId,
  experimentId: input.experimentId,
});

/**
 * What won and lost so far, for the provider to condition on: each arm's text with its goal
 * rate and sample, best first. Undefined before any arm has data.
 */
export async function resultsGuidance(
  ctx: AppContext,
  found: ExperimentWithVariants,
): Promise<string | undefined> {
  const { experiment } = found;
  const counts = await countsFromAggregates(ctx.db, {
    projectId: experiment.projectId,
    experimentIds: [experiment.id],
  });
  const byId = new Map(counts.map((c) => [c.variantId, c]));
  const metric = experiment.goalMetric === "conversion" ? "conversion" : "open";
  const rows = found.variants
    .filter((v) => v.source !== "holdout")
    .map((v) => {
      const c = byId.get(v.id);
      const n = c?.impressions ?? 0;
      const k = metric === "conversion" ? (c?.conversions ?? 0) : (c?.opens ?? 0);
      return { v, n, rate: n > 0 ? k / n : 0 };
    })
    .filter((r) => r.n >= Math.min(experiment.minSample, 100))
    .sort((a, b) => b.rate - a.rate);
  if (rows.length === 0) return undefined;
  const lines = rows.map((r) => {
    const label =
      r.v.status === "winner"
        ? "winner"
        : r.v.status === "retired"
          ? "lost (retired)"
          : r.v.source === "control"
            ? "control"
            : "in test";
    return `- ${JSON.stringify(r.v.text)}: ${(r.rate * 100).toFixed(2)}% ${metric} rate over ${r.n} sends (${label})`;
  });
  return [
    `Results so far, best first (goal: ${metric} rate).`,
    ...lines,
    "Write new variants that build on what the best ones do and avoid what the worst ones do.",
  ].join("\n");
}
