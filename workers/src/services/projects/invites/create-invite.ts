import { newId, newSecretToken, sha256Hex } from "@pushbunny/core";
import { insertInvite, isMemberByEmail } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { BadRequestError, ConflictError, ForbiddenError } from "../../../errors";
import { requirePublicUrl } from "../../../infra/access-tokens";
import { mailerFor } from "../../../infra/mailer";
import { recordAudit } from "../../audit/record-audit";
import { isEmail, normalizeEmail } from "../../auth/lib/email";
import { mustProject } from "../get-project";
import { type Caller, checkRole, INVITE_TTL_MS, isOwner, mustAdmin } from "../rules";
import type { Invite } from "./invite";

/**
 * Invites a person by email: a single-use link, valid for 7 days, stored only as its digest
 * and mailed to them. Inviting again replaces a pending invite; only an owner invites owners.
 * The link comes back to a person who invites (to copy by hand), never to an API key: a leaked
 * key must not be able to invite a mailbox and hold its link too.
 */
export async function createInvite({
  ctx,
  projectId,
  caller,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  caller: Caller;
  input: { email: string; role: string };
}): Promise<Invite & { acceptUrl: string | null }> {
  const email = normalizeEmail(input.email);
  // The shape signup accepts: whether the mailbox exists is proven by whoever clicks the link.
  if (!isEmail(email)) {
    throw BadRequestError.fromIssues([{ path: "email", message: "must be an email address" }]);
  }
  const role = checkRole(input.role);
  mustAdmin(caller, "invite people");
  if (role === "owner" && !isOwner(caller)) throw new ForbiddenError("only an owner can invite an owner");
  const project = await mustProject(ctx, projectId);
  if (await isMemberByEmail(ctx.db, projectId, email)) {
    throw new ConflictError(`'${email}' is already a member of this project: change their role instead`);
  }

  // Before the insert: without PUBLIC_URL (production) the link could not be built.
  const base = requirePublicUrl(ctx, "invitation by email");
  const token = newSecretToken("pbi_");
  const now = ctx.now();
  const invite: Invite = {
    id: newId("inv"),
    projectId,
    email,
    role,
    invitedBy: caller.actor,
    createdAt: now,
    expiresAt: now + INVITE_TTL_MS,
  };
  await insertInvite(ctx.db, { ...invite, digest: await sha256Hex(token) }, now);

  const acceptUrl = `${base}/app/invites/accept?token=${encodeURIComponent(token)}`;
  await mailerFor(ctx).send({
    to: email,
    subject: `You are invited to ${project.name} on PushBunny`,
    kind: "invite",
    projectId,
    text: [
      `${caller.email ?? "A project admin"} invited you to join the PushBunny project "${project.name}" as ${role}.`,
      "",
      "Accept in your browser:",
      acceptUrl,
      "",
      `Or accept with the API, POST /v1/invites/accept, signed in as ${email} (POST /v1/auth/login returns an access token):`,
      `curl -X POST ${base}/v1/invites/accept \\`,
      `  -H "Authorization: Bearer <access token>" -H "Content-Type: application/json" \\`,
      `  -d '{"token":"${token}"}'`,
      "",
      `The link works once and expires on ${new Date(invite.expiresAt).toISOString()}.`,
      "If you did not expect this invitation, ignore this email.",
    ].join("\n"),
  });
  await recordAudit({
    ctx,
    projectId,
    actor: caller.actor,
    input: { action: "invite.created", targetType: "invite", targetId: invite.id, details: { email, role } },
  });
  return { ...invite, acceptUrl: caller.userId === null ? null : acceptUrl };
}
