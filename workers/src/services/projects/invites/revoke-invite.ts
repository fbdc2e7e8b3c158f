import { findInviteOf, revokeInviteOf } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { ConflictError, NotFoundError } from "../../../errors";
import { recordAudit } from "../../audit/record-audit";

/** Withdraws an invite so its link stops working; revoking one twice (or an expired one) is a no-op. */
export async function revokeInvite({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { inviteId: string };
}): Promise<void> {
  const invite = await findInviteOf(ctx.db, projectId, input.inviteId);
  if (!invite) throw new NotFoundError(`invite '${input.inviteId}' not found`);
  if (invite.acceptedAt !== null) {
    throw new ConflictError("this invite was already accepted: remove the member instead");
  }
  if (!(await revokeInviteOf(ctx.db, projectId, invite.id, ctx.now()))) return;
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "invite.revoked",
      targetType: "invite",
      targetId: invite.id,
      details: { email: invite.email, role: invite.role },
    },
  });
}
