import type { Context, Hono } from "hono";
import { AppError } from "../../errors";
import { clientIp } from "../../ratelimit/middleware";
import { login } from "../../services/auth/login";
import { logout } from "../../services/auth/logout";
import { signup } from "../../services/auth/signup";
import { page } from "../context";
import { Csrf } from "../layout";
import { endSessionCookie, preSessionToken, startSession } from "../session";
import type { DashEnv } from "../types";

/** Where to go after signing in: only a path of the dashboard, never another site. */
export function safeNext(next: string | undefined): string {
  return next && /^\/app(\/[A-Za-z0-9_\-/]*)?(\?[A-Za-z0-9_=&%.-]*)?$/.test(next) ? next : "/app";
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

interface AuthFormProps {
  mode: "sign-in" | "sign-up";
  csrf: string;
  next: string;
  email?: string;
  error?: string;
}

function AuthForm(p: AuthFormProps) {
  const signIn = p.mode === "sign-in";
  return (
    <section class="panel narrow" aria-labelledby="auth-title">
      <h1 id="auth-title">{signIn ? "Sign in" : "Create your account"}</h1>
      {p.error ? (
        <p class="error" role="alert" id="auth-error">
          {p.error}
        </p>
      ) : null}
      <form class="stack" method="post" action={signIn ? "/app/sign-in" : "/app/sign-up"}>
        <Csrf token={p.csrf} />
        <input type="hidden" name="next" value={p.next} />
        {signIn ? null : (
          <label>
            Name
            <input name="name" autocomplete="name" maxlength={100} />
          </label>
        )}
        <label>
          Email
          <input
            name="email"
            type="email"
            autocomplete="email"
            required
            value={p.email ?? ""}
            aria-describedby={p.error ? "auth-error" : undefined}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete={signIn ? "current-password" : "new-password"}
            required
            minlength={signIn ? undefined : 10}
          />
        </label>
        <button type="submit">{signIn ? "Sign in" : "Create account"}</button>
      </form>
      <p>
        {signIn ? (
          <>
            New here?{" "}
            <a href={p.next === "/app" ? "/app/sign-up" : `/app/sign-up?next=${encodeURIComponent(p.next)}`}>
              Create an account
            </a>
          </>
        ) : (
          <>
            Have an account?{" "}
            <a href={p.next === "/app" ? "/app/sign-in" : `/app/sign-in?next=${encodeURIComponent(p.next)}`}>
              Sign in
            </a>
          </>
        )}
      </p>
    </section>
  );
}

function showForm(
  c: Context<DashEnv>,
  props: Omit<AuthFormProps, "csrf">,
  status: 200 | 400 | 401 | 409 | 429,
) {
  const csrf = preSessionToken(c);
  return page(
    c,
    {
      title: props.mode === "sign-in" ? "Sign in" : "Sign up",
      children: <AuthForm {...props} csrf={csrf} />,
    },
    status === 401 ? 400 : status,
  );
}

/** The error a form shows; anything that is not a client's mistake goes to the error page. */
function formError(err: unknown): { message: string; status: 400 | 401 | 409 | 429 } {
  if (err instanceof AppError && [400, 401, 409, 429].includes(err.status)) {
    const issues = err.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    return { message: issues || err.message, status: err.status as 400 | 401 | 409 | 429 };
  }
  throw err;
}

export function registerAuthPages(dash: Hono<DashEnv>): void {
  dash.get("/sign-in", (c) => {
    if (c.get("session")) return c.redirect(safeNext(c.req.query("next")), 303);
    return showForm(c, { mode: "sign-in", next: safeNext(c.req.query("next")) }, 200);
  });
  dash.get("/sign-up", (c) => {
    if (c.get("session")) return c.redirect("/app", 303);
    return showForm(c, { mode: "sign-up", next: safeNext(c.req.query("next")) }, 200);
  });

  dash.post("/sign-in", async (c) => {
    const form = await c.req.parseBody();
    const email = str(form.email);
    const next = safeNext(str(form.next));
    try {
      const { session } = await login({
        ctx: c.get("ctx"),
        input: {
          email,
          password: str(form.password),
          ip: clientIp(c.req.header("cf-connecting-ip")),
          withKey: false,
        },
      });
      startSession(c, session);
      return c.redirect(next, 303);
    } catch (err) {
      const { message, status } = formError(err);
      return showForm(c, { mode: "sign-in", next, email, error: message }, status);
    }
  });

  dash.post("/sign-up", async (c) => {
    const form = await c.req.parseBody();
    const email = str(form.email);
    const next = safeNext(str(form.next));
    try {
      const { session } = await signup({
        ctx: c.get("ctx"),
        input: {
          email,
          password: str(form.password),
          name: str(form.name) || undefined,
          ip: clientIp(c.req.header("cf-connecting-ip")),
        },
      });
      startSession(c, session);
      // A new account has no project: make one, unless a link (an invite) brought them here.
      return c.redirect(next === "/app" ? "/app/projects/new" : next, 303);
    } catch (err) {
      const { message, status } = formError(err);
      return showForm(c, { mode: "sign-up", next, email, error: message }, status);
    }
  });

  dash.post("/sign-out", async (c) => {
    const session = c.get("session");
    if (session) {
      await logout({
        ctx: c.get("ctx"),
        input: { userId: session.userId, sessionId: session.sessionId, refreshToken: session.refreshToken },
      });
    }
    endSessionCookie(c);
    return c.redirect("/app/sign-in", 303);
  });
}
