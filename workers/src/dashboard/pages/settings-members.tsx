import type { Context, Hono } from "hono";
import { ROLES, type Role, roleGrants } from "../../access/levels";
import { AppError } from "../../errors";
import { createInvite } from "../../services/projects/invites/create-invite";
import { listInvites } from "../../services/projects/invites/list-invites";
import { revokeInvite } from "../../services/projects/invites/revoke-invite";
import { listMembers } from "../../services/projects/members/list-members";
import type { Member } from "../../services/projects/members/member";
import { removeMember } from "../../services/projects/members/remove-member";
import { updateMember } from "../../services/projects/members/update-member";
import { type Caller, PAGE_LIMIT } from "../../services/projects/rules";
import { page, projectOf, sessionOf } from "../context";
import { when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv, DashProject } from "../types";
import { InvitesPanel } from "./settings-invites";
import { issuesOf, SettingsNav } from "./settings-nav";

const USER_ID = /^usr_[A-Za-z0-9_-]{1,64}$/;
const INVITE_ID = /^inv_[A-Za-z0-9_-]{1,64}$/;
const CURSOR = /^[A-Za-z0-9_-]{1,200}$/;

const str = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/** Who acts, as the member and invite verbs weigh it: the person with their role in the project. */
function callerOf(c: Context<DashEnv>, project: DashProject): Caller {
  const session = sessionOf(c);
  return {
    actor: `user:${session.userId}`,
    userId: session.userId,
    email: session.email,
    role: project.role,
  };
}

/** The roles this caller may hand out: only an owner grants owner (the verbs' rule). */
const grantable = (role: Role): Role[] => ROLES.filter((r) => r !== "owner" || role === "owner");

/**
 * Whether the page offers to change or remove `m`: admins manage others, but an owner's row
 * only for an owner. The verbs decide in the end (the last-owner rule among them).
 */
const manages = (me: DashProject, m: Member) =>
  roleGrants(me.role, "admin") && (m.role !== "owner" || me.role === "owner");

function MemberRow(p: { projectId: string; me: DashProject; myId: string; m: Member; csrf: string }) {
  const { m, me } = p;
  const base = `/app/p/${p.projectId}/settings/members/${m.userId}`;
  const self = m.userId === p.myId;
  const who = m.email;
  return (
    <tr id={`member-${m.userId}`}>
      <th scope="row">
        {m.name ? `${m.name} · ` : ""}
        {m.email}
        {self ? <span class="muted"> (you)</span> : null}
      </th>
      <td>
        {manages(me, m) ? (
          <form method="post" action={`${base}/role`}>
            <Csrf token={p.csrf} />
            <select id={`role-${m.userId}`} name="role" aria-label={`Role of ${who}`}>
              {grantable(me.role).map((r) => (
                <option value={r} selected={r === m.role}>
                  {r}
                </option>
              ))}
            </select>{" "}
            <button type="submit" class="secondary" aria-label={`Change the role of ${who}`}>
              Change
            </button>
          </form>
        ) : (
          <span class="badge">{m.role}</span>
        )}
      </td>
      <td class="hide-narrow">{when(m.joinedAt)}</td>
      <td>
        {self || manages(me, m) ? (
          <form method="post" action={`${base}/remove`}>
            <Csrf token={p.csrf} />
            <button type="submit" class="danger" aria-label={self ? "Leave this project" : `Remove ${who}`}>
              {self ? "Leave" : "Remove"}
            </button>
          </form>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
    </tr>
  );
}

interface MembersExtra {
  error?: string;
  /** The invite just sent, with its link (shown once: it is not kept anywhere but the mail). */
  invited?: { email: string; acceptUrl: string | null };
  form?: { email: string; role: string };
}

async function showMembers(
  c: Context<DashEnv>,
  extra: MembersExtra,
  status: 200 | 400 | 409 = 200,
): Promise<Response> {
  const session = sessionOf(c);
  const me = await projectOf(c, "read");
  const { projectId } = me;
  const ctx = c.get("ctx");
  const admin = roleGrants(me.role, "admin");
  const members = await listMembers({ ctx, projectId });
  // Invites name their sender by actor id; people still in the project are shown by email.
  const people = new Map(members.map((m) => [m.userId, m.email]));
  const cursorParam = c.req.query("invites_cursor");
  const invites = admin
    ? await listInvites({
        ctx,
        projectId,
        input: {
          limit: PAGE_LIMIT.max,
          cursor: cursorParam && CURSOR.test(cursorParam) ? cursorParam : undefined,
        },
      })
    : null;
  return page(
    c,
    {
      title: "Members",
      projectId,
      current: "settings",
      children: (
        <>
          <SettingsNav projectId={projectId} role={me.role} current="members" />
          <h1>Members</h1>
          {extra.error ? (
            <p class="error panel" role="alert" id="members-error">
              {extra.error}
            </p>
          ) : null}
          {extra.invited ? (
            <section class="panel notice" aria-labelledby="invited-title">
              <h2 id="invited-title">Invite sent to {extra.invited.email}</h2>
              <p>
                They get a link by email that works once, for 7 days, when they sign in with that address.
                {ctx.config.isProduction
                  ? null
                  : " In development the mail lands in the local outbox (GET /v1/dev/outbox)."}
              </p>
              {extra.invited.acceptUrl ? (
                <p>
                  To pass it on yourself, the same link (shown only now):{" "}
                  <span class="secret" id="invite-link">
                    {extra.invited.acceptUrl}
                  </span>
                </p>
              ) : null}
            </section>
          ) : null}
          <ScrollBox label="Members table">
            <table>
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col" class="hide-narrow">
                    Joined (UTC)
                  </th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <MemberRow projectId={projectId} me={me} myId={session.userId} m={m} csrf={session.csrf} />
                ))}
              </tbody>
            </table>
          </ScrollBox>
          <p class="muted">
            Owners manage everything and are the only ones who grant or remove the owner role; admins manage
            keys, members, limits and the audit log; members run experiments and send; viewers read. A project
            keeps at least one owner.
          </p>
          {invites ? (
            <InvitesPanel
              projectId={projectId}
              csrf={session.csrf}
              roles={grantable(me.role)}
              invites={invites}
              people={people}
              form={extra.form}
              describedBy={extra.error ? "members-error" : undefined}
              devOutbox={!ctx.config.isProduction}
            />
          ) : null}
        </>
      ),
    },
    status,
  );
}

/** Runs a member or invite change; a 400 or 409 shows the page again with the service's words. */
async function orShow(
  c: Context<DashEnv>,
  run: () => Promise<Response>,
  form?: MembersExtra["form"],
): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AppError && (err.status === 400 || err.status === 409)) {
      return showMembers(c, { error: issuesOf(err), form }, err.status);
    }
    throw err;
  }
}

export function registerMembersPage(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/settings/members", (c) => showMembers(c, {}));

  dash.post("/p/:project/settings/members/:user/role", async (c) => {
    const me = await projectOf(c, "admin");
    const userId = c.req.param("user");
    const back = `/app/p/${me.projectId}/settings/members`;
    if (!USER_ID.test(userId)) return c.redirect(back, 303);
    const form = await c.req.parseBody();
    return orShow(c, async () => {
      await updateMember({
        ctx: c.get("ctx"),
        projectId: me.projectId,
        caller: callerOf(c, me),
        input: { userId, role: str(form.role) },
      });
      return c.redirect(back, 303);
    });
  });

  // The API's level: anyone may leave; the verb asks for admin (and owner for an owner) otherwise.
  dash.post("/p/:project/settings/members/:user/remove", async (c) => {
    const me = await projectOf(c, "read");
    const userId = c.req.param("user");
    const back = `/app/p/${me.projectId}/settings/members`;
    if (!USER_ID.test(userId)) return c.redirect(back, 303);
    return orShow(c, async () => {
      const { left } = await removeMember({
        ctx: c.get("ctx"),
        projectId: me.projectId,
        caller: callerOf(c, me),
        input: { userId },
      });
      return c.redirect(left ? "/app" : back, 303);
    });
  });

  dash.post("/p/:project/settings/invites", async (c) => {
    const me = await projectOf(c, "admin");
    const form = await c.req.parseBody();
    const input = { email: str(form.email).slice(0, 254), role: str(form.role) || "member" };
    return orShow(
      c,
      async () => {
        const invite = await createInvite({
          ctx: c.get("ctx"),
          projectId: me.projectId,
          caller: callerOf(c, me),
          input,
        });
        // Answered in place, never redirected: the link is a credential and must not land in a URL.
        return showMembers(c, { invited: { email: invite.email, acceptUrl: invite.acceptUrl } });
      },
      input,
    );
  });

  dash.post("/p/:project/settings/invites/:invite/revoke", async (c) => {
    const me = await projectOf(c, "admin");
    const inviteId = c.req.param("invite");
    const back = `/app/p/${me.projectId}/settings/members`;
    if (!INVITE_ID.test(inviteId)) return c.redirect(back, 303);
    return orShow(c, async () => {
      await revokeInvite({
        ctx: c.get("ctx"),
        projectId: me.projectId,
        actor: `user:${sessionOf(c).userId}`,
        input: { inviteId },
      });
      return c.redirect(back, 303);
    });
  });
}
