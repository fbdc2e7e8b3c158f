import { encodeCursor } from "@pushbunny/core";
import { listExperimentsPage, type Strategy } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { readCursor } from "../../infra/cursor";
import { type ExperimentSummary, summarize } from "./summaries";

export interface ListExperimentsInput {
  status?: "running" | "paused";
  strategy?: Strategy;
  intentId?: string;
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** Page sizes the verb accepts (the route's schema says the same). */
export const LIST_LIMIT = { min: 1, max: 100 } as const;

function parseCursor(cursor: string | undefined): { createdAt: number; id: string } | undefined {
  const values = readCursor(cursor, ["number", "string"], ([, id]) => id.startsWith("exp_"));
  return values && { createdAt: values[0], id: values[1] };
}

/** A page of the project's experiments with all-time counts, newest first. */
export async function listExperiments({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: ListExperimentsInput;
}): Promise<{ experiments: ExperimentSummary[]; nextCursor: string | null }> {
  if (!Number.isInteger(input.limit) || input.limit < LIST_LIMIT.min || input.limit > LIST_LIMIT.max) {
    throw BadRequestError.fromIssues([
      { path: "limit", message: `must be an integer from ${LIST_LIMIT.min} to ${LIST_LIMIT.max}` },
    ]);
  }
  const rows = await listExperimentsPage(ctx.db, projectId, {
    status: input.status,
    strategy: input.strategy,
    intentId: input.intentId,
    limit: input.limit + 1,
    after: parseCursor(input.cursor),
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    experiments: await summarize(ctx, projectId, page),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
