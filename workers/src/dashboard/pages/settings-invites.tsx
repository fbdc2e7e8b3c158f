import type { Role } from "../../access/levels";
import type { Invite } from "../../services/projects/invites/invite";
import { when } from "../format";
import { Csrf, ScrollBox } from "../layout";

// The invite half of the members page: the form, the pending invites and their revoke buttons
// (the routes are in settings-members.tsx, which renders this panel for admins).

function InviteRow(p: { projectId: string; i: Invite; csrf: string; people: Map<string, string> }) {
  const { i } = p;
  const by = i.invitedBy.startsWith("user:") ? p.people.get(i.invitedBy.slice(5)) : undefined;
  return (
    <tr id={`invite-${i.id}`}>
      <th scope="row">{i.email}</th>
      <td>{i.role}</td>
      <td class="hide-narrow">{by ?? i.invitedBy}</td>
      <td>{when(i.expiresAt)}</td>
      <td>
        <form method="post" action={`/app/p/${p.projectId}/settings/invites/${i.id}/revoke`}>
          <Csrf token={p.csrf} />
          <button type="submit" class="danger" aria-label={`Revoke the invite to ${i.email}`}>
            Revoke
          </button>
        </form>
      </td>
    </tr>
  );
}

/** The invite form and the pending invites, for a person whose role may invite. */
export function InvitesPanel(p: {
  projectId: string;
  csrf: string;
  /** The roles this person may invite to (only an owner invites owners). */
  roles: Role[];
  invites: { invites: Invite[]; nextCursor: string | null };
  /** Members by user id, naming who sent each invite. */
  people: Map<string, string>;
  /** What was typed, when the service refused it. */
  form?: { email: string; role: string };
  describedBy?: string;
  /** Whether invite mail stays in the local outbox (every environment but production). */
  devOutbox: boolean;
}) {
  return (
    <>
      <section class="panel" aria-labelledby="invite-title">
        <h2 id="invite-title">Invite someone</h2>
        <form class="stack" method="post" action={`/app/p/${p.projectId}/settings/invites`}>
          <Csrf token={p.csrf} />
          <label>
            Email
            <input
              name="email"
              type="email"
              required
              maxlength={254}
              autocomplete="off"
              value={p.form?.email ?? ""}
              aria-describedby={p.describedBy}
            />
          </label>
          <label>
            Role
            <select name="role">
              {p.roles.map((r) => (
                <option value={r} selected={r === (p.form?.role ?? "member")}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Send invite</button>
        </form>
      </section>
      <h2>Pending invites</h2>
      {p.invites.invites.length === 0 ? (
        <p class="panel">
          No pending invites. Invite someone above: they get a link by email, valid for 7 days.
          {p.devOutbox
            ? " In development no mail leaves this server: read it in the local outbox, GET /v1/dev/outbox."
            : null}
        </p>
      ) : (
        <ScrollBox label="Pending invites table">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col" class="hide-narrow">
                  Invited by
                </th>
                <th scope="col">Expires (UTC)</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {p.invites.invites.map((i) => (
                <InviteRow projectId={p.projectId} i={i} csrf={p.csrf} people={p.people} />
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {p.invites.nextCursor ? (
        <nav class="pager" aria-label="Invite pages">
          <a
            href={`/app/p/${p.projectId}/settings/members?invites_cursor=${encodeURIComponent(p.invites.nextCursor)}`}
          >
            More invites
          </a>
        </nav>
      ) : null}
    </>
  );
}
