import { findMemberOf, setMemberRole } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { ConflictError, ForbiddenError, NotFoundError } from "../../../errors";
import { recordAudit } from "../../audit/record-audit";
import { revokeLoginKeys } from "../../auth/lib/login-keys";
import { type Caller, checkRole, guardOf, isOwner, LAST_OWNER, mustAdmin, stillOwner } from "../rules";
import { type Member, mustMember } from "./member";

/**
 * Changes a member's role. Only an owner grants or takes away the owner role (so an admin can
 * neither demote an owner nor make anyone one), and the last owner keeps it. The person's login
 * keys in the project were scoped from the old role, so a change (up or down) revokes them:
 * the app signs in again for a key that matches the new role.
 */
export async function updateMember({
  ctx,
  projectId,
  caller,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  caller: Caller;
  input: { userId: string; role: string };
}): Promise<Member> {
  const role = checkRole(input.role);
  mustAdmin(caller, "change members' roles");
  const target = await mustMember(ctx, projectId, input.userId);
  if ((role === "owner" || target.role === "owner") && !isOwner(caller)) {
    throw new ForbiddenError("only an owner can grant or remove the owner role");
  }
  if (target.role === role) return target;
  // The statement re-checks the owner rule itself: the target may have become an owner since.
  if (
    (await setMemberRole(ctx.db, projectId, target.userId, role, ctx.now(), guardOf(caller))) === "refused"
  ) {
    // The statement refuses a missing member, an owner's row and the last owner alike; tell them apart.
    const current = await findMemberOf(ctx.db, projectId, target.userId);
    if (!current) throw new NotFoundError(`member '${target.userId}' not found`);
    if (current.role === "owner" && !(await stillOwner(ctx, projectId, caller))) {
      throw new ForbiddenError("only an owner can grant or remove the owner role");
    }
    throw new ConflictError(`cannot demote the last owner: ${LAST_OWNER}`);
  }
  // First, right after the change: the keys carry the old role, and an audit failure must not
  // leave them working.
  await revokeLoginKeys(ctx, {
    userId: target.userId,
    projectId,
    actor: caller.actor,
    reason: "role_changed",
  });
  await recordAudit({
    ctx,
    projectId,
    actor: caller.actor,
    input: {
      action: "member.role_changed",
      targetType: "member",
      targetId: target.userId,
      details: { email: target.email, from: target.role, to: role },
    },
  });
  return { ...target, role };
}
