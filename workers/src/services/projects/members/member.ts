import { findMemberOf, type MemberRecord } from "@pushbunny/db";
import { isRole, type Role } from "../../../access/levels";
import type { AppContext } from "../../../context";
import { NotFoundError } from "../../../errors";

/** A person in a project. */
export interface Member extends Omit<MemberRecord, "role"> {
  role: Role;
}

// A stored role this code does not know grants nothing; shown as viewer, the least.
export const toMember = (r: MemberRecord): Member => ({ ...r, role: isRole(r.role) ? r.role : "viewer" });

/** A member of the project, or 404 (someone in another project is not found either). */
export async function mustMember(ctx: AppContext, projectId: string, userId: string): Promise<Member> {
  const found = await findMemberOf(ctx.db, projectId, userId);
  if (!found) throw new NotFoundError(`member '${userId}' not found`);
  return toMember(found);
}
