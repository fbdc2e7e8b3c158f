import { type GitHubCall, toGitHubError } from "./errors";
import { GitHubError } from "./types";

/** How every GitHub call is made: which fetch, how long to wait. */
export interface GitHubTransport {
  fetch?: typeof fetch;
  /** Per request; default 15 s. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/** Stops a paged listing that never ends (a misbehaving proxy) long before memory does. */
const MAX_PAGES = 50;

/** GitHub's REST headers; GitHub refuses requests without a User-Agent. */
export function githubHeaders(token: string | null): Record<string, string> {
  return {
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    "user-agent": "pushbunny-edge",
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
}

/** Trims trailing slashes so paths can be appended. */
export function baseUrl(url: string): string {
  return url.replace(/\/+$/, "");
}

export interface GitHubRequest {
  url: string;
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  token: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  call: GitHubCall;
}

/** Sends one call; non-2xx answers and fetch failures become GitHubError. */
export async function send(transport: GitHubTransport, request: GitHubRequest): Promise<Response> {
  const fetcher = transport.fetch ?? ((input, init) => fetch(input, init));
  let response: Response;
  try {
    response = await fetcher(request.url, {
      method: request.method ?? "GET",
      headers: {
        ...githubHeaders(request.token),
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        ...request.headers,
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(transport.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      // A redirect would carry the Authorization header to wherever it points: never follow one.
      redirect: "manual",
    });
  } catch (error) {
    throw await toGitHubError(error, request.call);
  }
  if (!response.ok) throw await toGitHubError(response, request.call);
  return response;
}

/** Sends one call and reads its JSON answer as an object. */
export async function sendJson(
  transport: GitHubTransport,
  request: GitHubRequest,
): Promise<{ body: Record<string, unknown>; response: Response }> {
  const response = await send(transport, request);
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    // A body cut off by the timeout lands here too.
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      throw await toGitHubError(error, request.call);
    }
    throw malformed(request.call, "its answer is not JSON");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw malformed(request.call, "its answer is not a JSON object");
  }
  return { body: body as Record<string, unknown>, response };
}

/** An answer GitHub would not give: a proxy or a different API at the configured URL. */
export function malformed(call: GitHubCall, what: string): GitHubError {
  const where = call.repo ? ` (${call.repo})` : "";
  return new GitHubError(
    "server",
    `GitHub's answer to ${call.action}${where} was not understood: ${what}; check GITHUB_API_URL`,
  );
}

/** The `rel="next"` address of a Link header. */
function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1]) return match[1];
  }
  return null;
}

/**
 * Every item of a paged listing (`{ total_count, <key>: [...] }`), 100 a page, following the Link
 * header but only on GitHub's own origin: the token must never be sent anywhere else.
 */
export async function sendPaged(
  transport: GitHubTransport,
  request: GitHubRequest,
  key: string,
): Promise<unknown[]> {
  const first = new URL(request.url);
  first.searchParams.set("per_page", "100");
  const items: unknown[] = [];
  let url: string | null = first.toString();
  for (let page = 0; url !== null && page < MAX_PAGES; page += 1) {
    const { body, response } = await sendJson(transport, { ...request, url });
    const list = body[key];
    if (!Array.isArray(list)) throw malformed(request.call, `no "${key}" list`);
    items.push(...list);
    const next = nextLink(response.headers.get("link"));
    url = next !== null && new URL(next).origin === first.origin && list.length > 0 ? next : null;
  }
  return items;
}

/** Reads a string field or fails as a malformed answer. */
export function stringField(body: Record<string, unknown>, key: string, call: GitHubCall): string {
  const value = body[key];
  if (typeof value !== "string") throw malformed(call, `"${key}" is missing`);
  return value;
}

/** Reads a number field or fails as a malformed answer. */
export function numberField(body: Record<string, unknown>, key: string, call: GitHubCall): number {
  const value = body[key];
  if (typeof value !== "number") throw malformed(call, `"${key}" is missing`);
  return value;
}

/** Reads an object field or fails as a malformed answer. */
export function objectField(
  body: Record<string, unknown>,
  key: string,
  call: GitHubCall,
): Record<string, unknown> {
  const value = body[key];
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw malformed(call, `"${key}" is missing`);
  return value as Record<string, unknown>;
}
