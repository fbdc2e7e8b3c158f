import type { AppContext } from "../../context";
import { mustFindProposal, type Proposal, proposalFromRow } from "./proposals";

/** One iteration proposal and its status. */
export async function getProposal({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { experimentId: string; proposalId: string };
}): Promise<Proposal> {
  return proposalFromRow(await mustFindProposal(ctx, projectId, input));
}
