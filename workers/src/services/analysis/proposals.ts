import { decideProposal, findProposal, type ProposalRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError, NotFoundError } from "../../errors";

/** The direction of the next round, chosen from the analysis. */
export type ProposalAngle = "build_on_winner" | "new_angle" | "more_challengers";

/** What a proposal holds, as stored in the row's `proposal` JSON column (snake_case on disk). */
export interface StoredProposal {
  angle: ProposalAngle;
  rationale: string;
  challengers: string[];
  retire: { variant_id: string; label: string; p_best: number }[];
}

/** An iteration proposal: new challengers and arms to retire, applied only once confirmed. */
export interface Proposal {
  id: string;
  experimentId: string;
  analysisId: string;
  status: ProposalRow["status"];
  provider: string;
  createdAt: number;
  decidedAt: number | null;
  angle: ProposalAngle;
  rationale: string;
  challengers: string[];
  retire: { variantId: string; label: string; pBest: number }[];
}

/** The domain object of a stored row. */
export function proposalFromRow(row: ProposalRow): Proposal {
  const stored = row.proposal as StoredProposal;
  return {
    id: row.id,
    experimentId: row.experimentId,
    analysisId: row.analysisId,
    status: row.status,
    provider: row.provider,
    createdAt: row.createdAt,
    decidedAt: row.decidedAt,
    angle: stored.angle,
    rationale: stored.rationale,
    challengers: stored.challengers,
    retire: stored.retire.map((r) => ({ variantId: r.variant_id, label: r.label, pBest: r.p_best })),
  };
}

/** The experiment's proposal, or a 404. */
export async function mustFindProposal(
  ctx: AppContext,
  projectId: string,
  input: { experimentId: string; proposalId: string },
): Promise<ProposalRow> {
  const row = await findProposal(ctx.db, { projectId, ...input });
  if (!row)
    throw new NotFoundError(`proposal '${input.proposalId}' not found in experiment '${input.experimentId}'`);
  return row;
}

/**
 * Moves a pending proposal to its final status, exactly once: a proposal already decided, or
 * decided by a concurrent request between the read and the claim, is a 409.
 */
export async function claimProposal(
  ctx: AppContext,
  projectId: string,
  input: { experimentId: string; proposalId: string; status: "applied" | "discarded"; now: number },
): Promise<ProposalRow> {
  const row = await mustFindProposal(ctx, projectId, input);
  if (row.status !== "pending") throw new ConflictError(`proposal '${row.id}' is already ${row.status}`);
  const claimed = await decideProposal(ctx.db, {
    projectId,
    proposalId: row.id,
    status: input.status,
    now: input.now,
  });
  if (!claimed) throw new ConflictError(`proposal '${row.id}' was decided concurrently`);
  return { ...row, status: input.status, decidedAt: input.now };
}
