import { deleteMember, findMemberOf, type OwnerGuard } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { ConflictError, ForbiddenError, NotFoundError } from "../../../errors";
import { recordAudit } from "../../audit/record-audit";
import { revokeLoginKeys } from "../../auth/lib/login-keys";
import { type Caller, guardOf, isOwner, LAST_OWNER, mustAdmin, stillOwner } from "../rules";
import { mustMember } from "./member";

/**
 * Takes someone out of a project. Anyone may leave; removing someone else takes the admin
 * role (or an admin-scoped key), removing an owner takes an owner, and the last owner stays.
 * Access ends at once: every request re-checks membership, and the person's login keys in the
 * project (POST /v1/auth/login's `api_key`) are revoked.
 */
export async function removeMember({
  ctx,
  projectId,
  caller,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  caller: Caller;
  input: { userId: string };
}): Promise<{ left: boolean }> {
  const leaving = caller.userId !== null && caller.userId === input.userId;
  if (!leaving) mustAdmin(caller, "remove other members");
  const target = await mustMember(ctx, projectId, input.userId);
  if (!leaving && target.role === "owner" && !isOwner(caller)) {
    throw new ForbiddenError("only an owner can remove an owner");
  }
  // The statement re-checks the owner rule itself: the target may have become an owner since.
  const guard: OwnerGuard = leaving ? { kind: "self" } : guardOf(caller);
  if ((await deleteMember(ctx.db, projectId, target.userId, guard)) === "refused") {
    const current = await findMemberOf(ctx.db, projectId, target.userId);
    if (!current) throw new NotFoundError(`member '${target.userId}' not found`);
    if (!leaving && current.role === "owner" && !(await stillOwner(ctx, projectId, caller))) {
      throw new ForbiddenError("only an owner can remove an owner");
    }
    throw new ConflictError(
      leaving ? `the last owner cannot leave: ${LAST_OWNER}` : `cannot remove the last owner: ${LAST_OWNER}`,
    );
  }
  // First, right after the change: the keys carry the old role, and an audit failure must not
  // leave them working.
  await revokeLoginKeys(ctx, {
    userId: target.userId,
    projectId,
    actor: caller.actor,
    reason: "member_removed",
  });
  await recordAudit({
    ctx,
    projectId,
    actor: caller.actor,
    input: {
      action: leaving ? "member.left" : "member.removed",
      targetType: "member",
      targetId: target.userId,
      details: { email: target.email, role: target.role },
    },
  });
  return { left: leaving };
}
