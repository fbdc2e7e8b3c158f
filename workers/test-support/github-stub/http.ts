import type { IncomingMessage } from "node:http";
import type { StubContext } from "./types";

export const EMPTY_MESSAGE = "Git Repository is empty.";
export const DEFAULT_MESSAGE: Record<number, string> = {
  401: "Bad credentials",
  403: "Resource not accessible by integration",
  404: "Not Found",
  409: "Conflict",
  422: "Validation Failed",
  429: "Too many requests",
  500: "Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

// Fields assigned by hand, not as parameter properties: `pnpm github:stub` runs this file with
// Node's type stripping, which refuses TypeScript-only syntax.
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;
  constructor(
    status: number,
    message: string,
    headers: Record<string, string> = {},
    extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = status;
    this.headers = headers;
    this.extra = extra;
  }
}

/** GitHub pages lists and names the next page only in a Link header, which clients must follow. */
export function paged<T>(ctx: StubContext, req: IncomingMessage, items: T[], path: string) {
  const query = new URL(req.url ?? "/", "http://stub").searchParams;
  const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < items.length) {
    headers.link = `<${ctx.url}${path}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
  }
  return { slice, headers };
}
