import type { AppContext } from "../../context";
import { claimProposal, type Proposal, proposalFromRow } from "./proposals";

/** Marks a pending proposal discarded; nothing else changes. */
export async function discardIteration({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { experimentId: string; proposalId: string };
}): Promise<Proposal> {
  const row = await claimProposal(ctx, projectId, { ...input, status: "discarded", now: ctx.now() });
  return proposalFromRow(row);
}
