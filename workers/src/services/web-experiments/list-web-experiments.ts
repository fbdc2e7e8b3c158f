import { isId } from "@pushbunny/core";
import { listWebExperimentsPage, type WebExperimentRow, type WebExperimentStatus } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { keysetPage, readCursor } from "../../infra/cursor";

export const LIST_LIMIT = { min: 1, max: 100 } as const;

/** The project's web experiments, newest first, optionally of one status. */
export async function listWebExperiments({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { status?: WebExperimentStatus; limit: number; cursor?: string };
}): Promise<{ experiments: WebExperimentRow[]; nextCursor: string | null }> {
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => isId(id, "exp"));
  const page = await keysetPage(
    input.limit,
    LIST_LIMIT.max,
    (limit) =>
      listWebExperimentsPage(ctx.db, projectId, {
        limit,
        statuses: input.status ? [input.status] : undefined,
        after: after && { createdAt: after[0], id: after[1] },
      }),
    (last) => [last.createdAt, last.experimentId],
  );
  return { experiments: page.rows, nextCursor: page.nextCursor };
}
