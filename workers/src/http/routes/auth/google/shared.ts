import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { ErrorEnvelope } from "../../../schemas";
import type { AppEnv } from "../../../types";

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

/**
 * What the anonymous Google sign-in routes can answer besides success. Their rate limit is the
 * "auth" route class, per client IP (ratelimit/classes.ts).
 */
export const googleErrors = {
  429: error("Too many sign-ins from this address; retry after `Retry-After` seconds"),
  500: error("Unexpected error (logged with the request id)"),
  503: error("Google sign-in is not configured, or the identity provider is unreachable"),
} as const;
export const callbackErrors = {
  400: error(
    "Bad, missing, used or expired state; another browser's sign-in; the provider's error; or a refused code",
  ),
  401: error(
    "The ID token failed verification (signature, issuer, audience, expiry, nonce) or the email is not verified",
  ),
  409: error("An account with this email exists but has not verified it: sign in with the password first"),
} as const;

// The cookie that binds a sign-in to the browser that started it (login CSRF defense). On https
// it is a __Host- cookie, which a sibling subdomain cannot plant; plain http is only for local
// development, where browsers refuse Secure cookies.
const COOKIE = "pb_google_flow";
const LOCAL_HTTP = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

// Generic in the env so the dashboard's Google start (dashboard/pages/auth.tsx) clears the cookie too.
const secureCookie = <E extends AppEnv>(c: Context<E>) => {
  const url = c.get("ctx").config.auth.publicUrl;
  // No PUBLIC_URL (production, where sign-in answers 503): never a plain cookie.
  return url === null || !LOCAL_HTTP.test(url);
};
const cookieOptions = <E extends AppEnv>(c: Context<E>) =>
  secureCookie(c)
    ? ({ prefix: "host", httpOnly: true, sameSite: "Lax" } as const)
    : ({ path: "/v1/auth/google", httpOnly: true, sameSite: "Lax" } as const);

export function setFlowCookie(c: Context<AppEnv>, value: string, maxAgeSeconds: number) {
  setCookie(c, COOKIE, value, { ...cookieOptions(c), maxAge: maxAgeSeconds });
}

export function readFlowCookie(c: Context<AppEnv>): string | undefined {
  return getCookie(c, COOKIE, secureCookie(c) ? "host" : undefined) || undefined;
}

/** Forgets the binding: every callback answer ends the sign-in, whatever it says. */
export function clearFlowCookie<E extends AppEnv>(c: Context<E>) {
  deleteCookie(c, COOKIE, cookieOptions(c));
}
