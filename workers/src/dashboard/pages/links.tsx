import type { Context, Hono } from "hono";
import { AppError } from "../../errors";
import { resetPassword } from "../../services/auth/reset-password";
import { verifyEmail } from "../../services/auth/verify-email";
import { acceptInvite } from "../../services/invites/accept-invite";
import { page, sessionOf } from "../context";
import { Csrf } from "../layout";
import { endSessionCookie, preSessionToken } from "../session";
import type { DashEnv } from "../types";

// The pages the mails link to (services/auth/lib/mail-links.ts, invites/create-invite.ts). Opening
// a link changes nothing: mail scanners fetch links on their own. A button posts the token.

const TOKEN_MAX = 200;
const str = (v: unknown) => (typeof v === "string" ? v : "");
const tokenOf = (v: unknown) => str(v).trim().slice(0, TOKEN_MAX);

/** The CSRF token for a page that works signed in or not. */
const csrfFor = (c: Context<DashEnv>) => c.get("session")?.csrf ?? preSessionToken(c);

function LinkPage(p: {
  title: string;
  text: string;
  action: string;
  token: string;
  csrf: string;
  button: string;
  error?: string;
  password?: boolean;
}) {
  return (
    <section class="panel narrow" aria-labelledby="link-title">
      <h1 id="link-title">{p.title}</h1>
      <p>{p.text}</p>
      {p.error ? (
        <p class="error" role="alert">
          {p.error}
        </p>
      ) : null}
      <form class="stack" method="post" action={p.action}>
        <Csrf token={p.csrf} />
        <input type="hidden" name="token" value={p.token} />
        {p.password ? (
          <label>
            New password
            <input name="password" type="password" autocomplete="new-password" required minlength={10} />
          </label>
        ) : null}
        <button type="submit">{p.button}</button>
      </form>
    </section>
  );
}

function Done(p: { title: string; text: string; href: string; link: string }) {
  return (
    <section class="panel narrow" aria-labelledby="done-title">
      <h1 id="done-title">{p.title}</h1>
      <p>{p.text}</p>
      <p>
        <a href={p.href}>{p.link}</a>
      </p>
    </section>
  );
}

const messageOf = (err: unknown) => {
  if (err instanceof AppError && err.status < 500) {
    return err.issues.map((i) => `${i.path}: ${i.message}`).join("; ") || err.message;
  }
  throw err;
};

export function registerLinkPages(dash: Hono<DashEnv>): void {
  const verify = (c: Context<DashEnv>, token: string, error?: string) =>
    page(
      c,
      {
        title: "Verify your email",
        children: (
          <LinkPage
            title="Verify your email"
            text="Confirm that this mailbox is yours."
            action="/app/verify-email"
            token={token}
            csrf={csrfFor(c)}
            button="Verify my email"
            error={error}
          />
        ),
      },
      error ? 400 : 200,
    );
  dash.get("/verify-email", (c) => verify(c, tokenOf(c.req.query("token"))));
  dash.post("/verify-email", async (c) => {
    const token = tokenOf((await c.req.parseBody()).token);
    try {
      const user = await verifyEmail({ ctx: c.get("ctx"), input: { token } });
      return page(c, {
        title: "Email verified",
        children: (
          <Done
            title="Email verified"
            text={`${user.email} is verified.`}
            href={c.get("session") ? "/app" : "/app/sign-in"}
            link={c.get("session") ? "Go to your projects" : "Sign in"}
          />
        ),
      });
    } catch (err) {
      return verify(c, token, messageOf(err));
    }
  });

  const reset = (c: Context<DashEnv>, token: string, error?: string) =>
    page(
      c,
      {
        title: "Choose a new password",
        children: (
          <LinkPage
            title="Choose a new password"
            text="Every device signed in to your account is signed out when the password changes."
            action="/app/reset-password"
            token={token}
            csrf={csrfFor(c)}
            button="Change password"
            error={error}
            password
          />
        ),
      },
      error ? 400 : 200,
    );
  dash.get("/reset-password", (c) => reset(c, tokenOf(c.req.query("token"))));
  dash.post("/reset-password", async (c) => {
    const form = await c.req.parseBody();
    const token = tokenOf(form.token);
    try {
      await resetPassword({ ctx: c.get("ctx"), input: { token, password: str(form.password) } });
    } catch (err) {
      return reset(c, token, messageOf(err));
    }
    // The reset ended every session family, this browser's too.
    endSessionCookie(c);
    c.set("session", null);
    return page(c, {
      title: "Password changed",
      children: (
        <Done
          title="Password changed"
          text="Sign in with the new password."
          href="/app/sign-in"
          link="Sign in"
        />
      ),
    });
  });

  const invite = (c: Context<DashEnv>, token: string, error?: string) =>
    page(
      c,
      {
        title: "Join a project",
        children: (
          <LinkPage
            title="Join a project"
            text={`You were invited to a project. Accept as ${sessionOf(c).email}.`}
            action="/app/invites/accept"
            token={token}
            csrf={sessionOf(c).csrf}
            button="Accept the invite"
            error={error}
          />
        ),
      },
      error ? 400 : 200,
    );
  dash.get("/invites/accept", (c) => invite(c, tokenOf(c.req.query("token"))));
  dash.post("/invites/accept", async (c) => {
    const session = sessionOf(c);
    const token = tokenOf((await c.req.parseBody()).token);
    try {
      const project = await acceptInvite({
        ctx: c.get("ctx"),
        input: { userId: session.userId, email: session.email, token },
      });
      return c.redirect(`/app/p/${project.id}`, 303);
    } catch (err) {
      return invite(c, token, messageOf(err));
    }
  });
}
