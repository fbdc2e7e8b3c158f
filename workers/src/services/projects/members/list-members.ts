import { listMembersOf } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { type Member, toMember } from "./member";

/** Everyone in the project with their role, earliest first: at most MEMBER_LIST_LIMIT (1,000). */
export async function listMembers({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<Member[]> {
  return (await listMembersOf(ctx.db, projectId)).map(toMember);
}
