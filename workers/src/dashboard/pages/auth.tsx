import type { Context, Hono } from "hono";
import { AppError, BadRequestError } from "../../errors";
import { clearFlowCookie } from "../../http/routes/auth/google/shared";
import { clientIp, rateLimit } from "../../ratelimit/middleware";
import { finishGoogleSignIn } from "../../services/auth/google/finish-google-sign-in";
import { startGoogleSignIn } from "../../services/auth/google/start-google-sign-in";
import { login } from "../../services/auth/login";
import { logout } from "../../services/auth/logout";
import { signup } from "../../services/auth/signup";
import { page } from "../context";
import { Csrf } from "../layout";
import { endSessionCookie, preSessionToken, setGoogleFlow, startSession, takeGoogleFlow } from "../session";
import type { DashEnv } from "../types";

/** Where to go after signing in: only a path of the dashboard, never another site. */
export function safeNext(next: string | undefined): string {
  return next && /^\/app(\/[A-Za-z0-9_\-/]*)?(\?[A-Za-z0-9_=&%.-]*)?$/.test(next) ? next : "/app";
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/**
 * Google sign-in's budget per address, the start and the callback together: each start is a KV
 * write and a round trip to the provider, each callback a token exchange.
 */
export const GOOGLE_SIGN_IN_LIMIT = { limit: 30, windowMs: 60_000 } as const;

/** The API schema's bounds on the provider's callback (routes/auth/google/callback.ts). */
const CALLBACK_MAX = { code: 2048, state: 512, error: 256, iss: 2048 } as const;

interface AuthFormProps {
  mode: "sign-in" | "sign-up";
  csrf: string;
  next: string;
  email?: string;
  error?: string;
  /** Whether the deployment has Google sign-in configured (the button shows only then). */
  google?: boolean;
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
      {signIn && p.google ? (
        <p>
          <a
            class="button"
            href={
              p.next === "/app"
                ? "/app/sign-in/google"
                : `/app/sign-in/google?next=${encodeURIComponent(p.next)}`
            }
          >
            Sign in with Google
          </a>
        </p>
      ) : null}
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
  const google = c.get("ctx").config.auth.google !== null;
  return page(
    c,
    {
      title: props.mode === "sign-in" ? "Sign in" : "Sign up",
      children: <AuthForm {...props} csrf={csrf} google={google} />,
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

/** The sign-in page with the service's 503 (and its Retry-After), keeping the status. */
async function unavailable(c: Context<DashEnv>, err: AppError, next: string): Promise<Response> {
  const res = await showForm(c, { mode: "sign-in", next, error: err.message }, 400);
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(err.headers)) headers.set(k, v);
  return new Response(res.body, { status: 503, headers });
}

/**
 * A new sign-in in a browser that already had one: the old login ends, so its refresh token
 * (which only this cookie held) cannot outlive the cookie it was in.
 */
async function replaceSession(c: Context<DashEnv>, session: Parameters<typeof startSession>[1]) {
  const previous = c.get("session");
  if (previous) {
    await logout({
      ctx: c.get("ctx"),
      input: { userId: previous.userId, sessionId: previous.sessionId, refreshToken: previous.refreshToken },
    });
  }
  startSession(c, session);
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
      await replaceSession(c, session);
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
      await replaceSession(c, session);
      // A new account has no project: make one, unless a link (an invite) brought them here.
      return c.redirect(next === "/app" ? "/app/projects/new" : next, 303);
    } catch (err) {
      const { message, status } = formError(err);
      return showForm(c, { mode: "sign-up", next, email, error: message }, status);
    }
  });

  // The API's Google flow (services/auth/google), ending in the dashboard's cookie instead of a
  // JSON token pair. The provider returns to the one registered redirect URI, the API's
  // callback, which hands a sign-in started here on to the callback below.
  const googleLimit = rateLimit("dashboard-google", { perIp: GOOGLE_SIGN_IN_LIMIT });
  dash.get("/sign-in/google", googleLimit, async (c) => {
    const next = safeNext(c.req.query("next"));
    if (c.get("session")) return c.redirect(next, 303);
    let start: Awaited<ReturnType<typeof startGoogleSignIn>>;
    try {
      start = await startGoogleSignIn({ ctx: c.get("ctx") });
    } catch (err) {
      // Not configured, or the provider is down: the sign-in page says so, with the password form.
      if (!(err instanceof AppError && err.status === 503)) throw err;
      return unavailable(c, err, next);
    }
    setGoogleFlow(c, { binding: start.binding, next }, start.expiresInSeconds);
    // An API sign-in's cookie would take the callback for itself: the latest start wins.
    clearFlowCookie(c);
    return c.redirect(start.authorizationUrl, 302);
  });

  dash.get("/sign-in/google/callback", googleLimit, async (c) => {
    const flow = takeGoogleFlow(c);
    const next = safeNext(flow?.next);
    const q = (name: keyof typeof CALLBACK_MAX) => {
      const v = c.req.query(name);
      if (v !== undefined && v.length > CALLBACK_MAX[name]) {
        throw new BadRequestError(`${name}: longer than ${CALLBACK_MAX[name]} characters`);
      }
      return v;
    };
    try {
      const { session } = await finishGoogleSignIn({
        ctx: c.get("ctx"),
        input: {
          code: q("code"),
          state: q("state"),
          error: q("error"),
          iss: q("iss"),
          binding: flow?.binding,
        },
      });
      await replaceSession(c, session);
      return c.redirect(next, 303);
    } catch (err) {
      if (err instanceof AppError && err.status === 503) return unavailable(c, err, next);
      if (err instanceof AppError && err.status < 500) {
        // The service names the API's start route; here, the button is the way to start again.
        const message = err.message.replace(/;?\s*start again at GET \/v1\/auth\/google\/start/, "");
        return showForm(
          c,
          { mode: "sign-in", next, error: `Google sign-in did not finish: ${message}` },
          400,
        );
      }
      throw err;
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
