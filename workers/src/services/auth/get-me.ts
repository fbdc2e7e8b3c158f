import { findUserById, listUserProjects, type UserProject } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { UnauthorizedError } from "../../errors";
import { toUser, type User } from "./lib/users";

/** The signed-in person and the live projects they belong to, with their role in each. */
export async function getMe({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { userId: string };
}): Promise<{ user: User; projects: UserProject[] }> {
  const [row, projects] = await Promise.all([
    findUserById(ctx.db, input.userId),
    listUserProjects(ctx.db, input.userId),
  ]);
  if (!row) throw new UnauthorizedError("session ended: sign in again");
  return { user: toUser(row), projects };
}
