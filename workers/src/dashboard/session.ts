import { newSecretToken, sha256Hex } from "@pushbunny/core";
import { findRefreshToken } from "@pushbunny/db";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { SessionTokens } from "../services/auth/lib/sessions";
import { REFRESH_TOKEN_PREFIX } from "../services/auth/lib/sessions";
import type { DashEnv } from "./types";

/**
 * The person's login is the refresh token of an ordinary session family (issueSession), kept in
 * an HttpOnly cookie the page's scripts cannot read. Each request looks the token up without
 * spending it, so logout, a password reset and reuse detection end the dashboard's session
 * exactly as they end the API's.
 */
export const SESSION_COOKIE = "__Host-pb_session";
/** Before sign-in there is no session to tie a CSRF token to: a random one, double-submitted. */
export const PRE_SESSION_COOKIE = "__Host-pb_csrf";
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

export interface DashSession {
  userId: string;
  email: string;
  sessionId: string;
  /** The token forms must echo: derived from the cookie, so only a page of this session knows it. */
  csrf: string;
  /** The cookie's refresh token, for logout. */
  refreshToken: string;
}

const csrfOf = async (refreshToken: string) =>
  (await sha256Hex(`dashboard-csrf:${refreshToken}`)).slice(0, 48);

/** The signed-in person, or null (no cookie, an unknown, used, expired or revoked token). */
export async function loadSession(c: Context<DashEnv>): Promise<DashSession | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token?.startsWith(REFRESH_TOKEN_PREFIX) || token.length > 200) return null;
  const ctx = c.get("ctx");
  const state = await findRefreshToken(ctx.db, await sha256Hex(token));
  if (!state || state.familyRevokedAt !== null || state.usedAt !== null || state.expiresAt <= ctx.now()) {
    return null;
  }
  return {
    userId: state.userId,
    email: state.email,
    sessionId: state.familyId,
    csrf: await csrfOf(token),
    refreshToken: token,
  };
}

export function startSession(c: Context<DashEnv>, session: SessionTokens): void {
  setCookie(c, SESSION_COOKIE, session.refreshToken, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    expires: new Date(session.refreshExpiresAt),
  });
  deleteCookie(c, PRE_SESSION_COOKIE, { path: "/", secure: true });
}

export function endSessionCookie(c: Context<DashEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
}

/** The pre-session CSRF token, set when a sign-in or sign-up form is shown. */
export function preSessionToken(c: Context<DashEnv>): string {
  const existing = getCookie(c, PRE_SESSION_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{20,80}$/.test(existing)) return existing;
  const token = newSecretToken("").replace(/[^A-Za-z0-9_-]/g, "");
  setCookie(c, PRE_SESSION_COOKIE, token, { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
  return token;
}

/** The token a POST must carry: the session's, or before sign-in the pre-session cookie's. */
export function expectedCsrf(c: Context<DashEnv>, session: DashSession | null): string | undefined {
  return session ? session.csrf : getCookie(c, PRE_SESSION_COOKIE);
}

/** Constant-time string comparison, so a guess learns nothing from the timing. */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * A POST from a page of this origin: the browser's Origin header (every browser sends it on a
 * POST) must name this host. A missing Origin is refused too; no page of ours posts without one.
 */
export function sameOrigin(c: Context<DashEnv>): boolean {
  const origin = c.req.header("origin");
  if (!origin || origin === "null") return false;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return false;
  }
  const here = new URL(c.req.url);
  // The scheme too: a page served over plain http on the same host is not this origin.
  if (from.protocol !== here.protocol) return false;
  return from.host === here.host || from.host === c.req.header("host");
}

/**
 * A Google sign-in the dashboard started: the browser binding (the flow's `binding`, checked by
 * the service against the KV record) and where to land. The API's own flow cookie is path-scoped
 * to /v1/auth/google on local http, out of reach of /app, hence a cookie of the dashboard's.
 */
export const GOOGLE_FLOW_COOKIE = "__Host-pb_google";

export function setGoogleFlow(c: Context<DashEnv>, flow: { binding: string; next: string }, maxAge: number) {
  setCookie(c, GOOGLE_FLOW_COOKIE, `${flow.binding}.${flow.next}`, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    maxAge,
  });
}

/** Whether this browser has a dashboard Google sign-in under way (the API's callback asks). */
export const hasGoogleFlow = (c: Context): boolean => !!getCookie(c, GOOGLE_FLOW_COOKIE);

/** The dashboard's Google sign-in, read once: the cookie is cleared whatever the callback says. */
export function takeGoogleFlow(c: Context<DashEnv>): { binding: string; next: string } | null {
  const raw = getCookie(c, GOOGLE_FLOW_COOKIE);
  if (raw === undefined) return null;
  deleteCookie(c, GOOGLE_FLOW_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
  const dot = raw.indexOf(".");
  if (dot <= 0) return null;
  return { binding: raw.slice(0, dot), next: raw.slice(dot + 1) };
}
