import { sha256Hex } from "@pushbunny/core";
import {
  acceptInviteOnce,
  findInviteByDigest,
  findKeysByPrefix,
  findMemberOf,
  findUserById,
  type InviteRow,
} from "@pushbunny/db";
import { isRole, parseScopes, roleGrants } from "../../access/levels";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "../../errors";
import { BOOTSTRAP_PROJECT_ID } from "../../infra/api-keys";
import { recordAudit } from "../audit/record-audit";
import { normalizeEmail } from "../auth/lib/email";
import { mustProject } from "../projects/get-project";
import { checkRole, type Project } from "../projects/rules";

const TOKEN_MAX = 200;

/**
 * Joins a project through an invite link: the signed-in person's email must be the one invited
 * and verified (so neither a forwarded link nor an account opened with someone else's address
 * gets in), whoever sent the invite must still be able to send it, and the link works once.
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
  // An unverified account only claims its address; the invite is for whoever reads that mailbox.
  const user = await findUserById(ctx.db, input.userId);
  if (!user?.emailVerifiedAt) {
    throw new ForbiddenError("verify your email first: POST /v1/auth/verify-email/resend");
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
  if (!(await inviterStillMay(ctx, invite, now))) {
    throw new ConflictError(
      "whoever sent this invite can no longer invite people to this project (they left, lost the role, or their API key was revoked): ask a current project admin for a new invite",
    );
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

/**
 * Whether the invite's sender could still send it: a person still a member with the admin role
 * (owner for an owner invite), or an API key still working with the admin scope. An invite
 * outliving its sender's authority would let a removed admin, or a revoked leaked key, keep
 * adding people for a week.
 */
async function inviterStillMay(ctx: AppContext, invite: InviteRow, now: number): Promise<boolean> {
  const sender = invite.invitedBy;
  if (sender.startsWith("user:")) {
    const member = await findMemberOf(ctx.db, invite.projectId, sender.slice("user:".length));
    if (!member || !isRole(member.role)) return false;
    return invite.role === "owner" ? member.role === "owner" : roleGrants(member.role, "admin");
  }
  const key = /^api_key:(.+)…$/.exec(sender);
  // Keys never invite owners; anything else in invited_by is not a sender this code knows.
  if (!key?.[1] || invite.role === "owner") return false;
  const rows = await findKeysByPrefix(ctx.db, invite.projectId, key[1]);
  if (rows.length === 0) {
    // Bootstrap keys (API_KEYS) have no row: they stand while the configuration lists any.
    return invite.projectId === BOOTSTRAP_PROJECT_ID && ctx.config.bootstrapKeys.length > 0;
  }
  return rows.some(
    (k) =>
      k.revokedAt === null &&
      (k.expiresAt === null || k.expiresAt > now) &&
      // Test-mode keys never hold admin (access/levels.ts TEST_KEY_SCOPES), whatever the row says.
      k.mode !== "test" &&
      parseScopes(k.scopes).includes("admin"),
  );
}
