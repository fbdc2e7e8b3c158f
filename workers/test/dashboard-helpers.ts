import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { seedMember } from "./helpers";

// What the dashboard's workerd tests share: a cookie jar that keeps what pages set, GET and form
// POST through the Worker, a page's CSRF token, and a member signed in by the session cookie.
// docs/adr/0021-dashboard-stack.md.

export const ORIGIN = "http://pushbunny.test";
export const SESSION = "__Host-pb_session";
export const PRE_SESSION = "__Host-pb_csrf";

export interface Jar {
  cookies: Map<string, string>;
}

export const jar = (entries: [string, string][] = []): Jar => ({ cookies: new Map(entries) });

/** Keeps the cookies a response sets (and drops the ones it clears). */
export function keep(j: Jar, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair = ""] = line.split(";");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (value === "" || /max-age=0/i.test(line)) j.cookies.delete(name);
    else j.cookies.set(name, value);
  }
}

export const cookieOf = (j: Jar) => [...j.cookies].map(([k, v]) => `${k}=${v}`).join("; ");

/** A GET through the Worker, redirects not followed. */
export async function get(path: string, j: Jar = jar(), headers: Record<string, string> = {}) {
  const cookie = cookieOf(j);
  const res = await exports.default.fetch(`${ORIGIN}${path}`, {
    headers: { ...(cookie ? { cookie } : {}), ...headers },
    redirect: "manual",
  });
  keep(j, res);
  return res;
}

/** A form POST (urlencoded; repeated fields as arrays), from this origin unless `headers` say otherwise. */
export async function post(
  path: string,
  j: Jar,
  fields: Record<string, string | string[]>,
  headers: Record<string, string> = { origin: ORIGIN },
) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  const cookie = cookieOf(j);
  const res = await exports.default.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body,
    redirect: "manual",
  });
  keep(j, res);
  return res;
}

/** A multipart form POST (a file upload), with its Content-Length as a browser sends it. */
export async function postMultipart(
  path: string,
  j: Jar,
  form: FormData,
  headers: Record<string, string> = {},
) {
  // Serialised first: a browser sends the length, and the dashboard refuses a POST without one.
  const req = new Request("http://x/", { method: "POST", body: form });
  const bytes = await req.arrayBuffer();
  const cookie = cookieOf(j);
  const res = await exports.default.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    headers: {
      "content-type": req.headers.get("content-type") ?? "",
      "content-length": String(bytes.byteLength),
      origin: ORIGIN,
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body: bytes,
    redirect: "manual",
  });
  keep(j, res);
  return res;
}

/** The CSRF token a page's forms carry. */
export async function csrfOf(res: Response): Promise<{ html: string; csrf: string }> {
  const html = await res.text();
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error(`no CSRF field in:\n${html.slice(0, 2000)}`);
  return { html, csrf: m[1] };
}

/** A page that must answer 200, with its HTML and CSRF token. */
export async function pageOf(path: string, j: Jar) {
  const res = await get(path, j);
  const html = await res.text();
  expect(res.status, html.slice(0, 2000)).toBe(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  expect(csrf).not.toBe("");
  return { html, csrf };
}

/** A member signed in through the cookie (the refresh token of an ordinary session). */
export async function signedIn(projectId: string, role: "owner" | "admin" | "member" | "viewer") {
  const m = await seedMember(projectId, role);
  return { ...m, jar: jar([[SESSION, m.refreshToken]]) };
}

/** What JSX writes for a text. */
export const escaped = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
