import { sha256Hex } from "@pushbunny/core";
import { acceptInviteOnce, findInviteByDigest, findMemberOf } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import { normalizeEmail } from "../auth/lib/email";
import { mustProject } from "../projects/get-project";
import { checkRole, type Project } from "../projects/rules";

const TOKEN_MAX = 200;

/**
 * Joins a project through an invite link: the signed-in person's email must be the one invited
 * (so a forwarded link is useless to anyone else), and the link works once.
 */
export async function acceptInvite({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { userId: string; email: string; token: string };
}): Promise<Project> {
  const token = input.token.trim();
  if (token.length === 0 || token.length > TOKEN_MAX) {
    throw BadRequestError.fromIssues([{ path: "token", message: "must be the token from the invite link" }]);
  }
  const invite = await findInviteByDigest(ctx.db, await sha256Hex(token));
  if (!invite) {
    throw new BadRequestError("this invite link is not valid: ask a project admin to invite you again");
  }
  // Checked before anything about the invite's state is told.
  if (invite.email !== normalizeEmail(input.email)) {
    throw new ForbiddenError(
      "this invite was sent to another email address: sign in as the person it was sent to",
    );
  }
  if (!invite.projectLive) throw new NotFoundError("project not found");
  if (invite.acceptedAt !== null) throw new ConflictError("this invite was already used");
  if (invite.revokedAt !== null) {
    throw new ConflictError("this invite was withdrawn: ask a project admin for a new one");
  }
  const now = ctx.now();
  if (invite.expiresAt <= now) {
    throw new BadRequestError(
      `this invite expired at ${new Date(invite.expiresAt).toISOString()}: ask a project admin for a new one`,
    );
  }
  if (await findMemberOf(ctx.db, invite.projectId, input.userId)) {
    throw new ConflictError("you are already a member of this project");
  }
  if (!(await acceptInviteOnce(ctx.db, { inviteId: invite.id, userId: input.userId, now }))) {
    throw new ConflictError("this invite was already used");
  }
  const role = checkRole(invite.role);
  await recordAudit({
    ctx,
    projectId: invite.projectId,
    actor: `user:${input.userId}`,
    input: {
      action: "invite.accepted",
      targetType: "invite",
      targetId: invite.id,
      details: { email: invite.email, role, user_id: input.userId },
    },
  });
  return { ...(await mustProject(ctx, invite.projectId)), role };
}
