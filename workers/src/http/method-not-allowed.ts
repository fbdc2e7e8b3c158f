import type { App } from "./types";

interface RoutePattern {
  method: string;
  pattern: RegExp;
}

// Hono paths use `:name` (OpenAPI's `{name}` is converted on registration) and a trailing `*`.
function compile(path: string): RegExp {
  const source = path
    .split("/")
    .map((part) => {
      if (part === "*") return ".*";
      if (part.startsWith(":")) return "[^/]+";
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/**
 * The methods a path answers to, for a 405's `Allow` header: a client that POSTs where only GET
 * is served learns which method to use instead of being told the path does not exist.
 */
export function allowedMethods(app: App): (path: string) => string[] {
  let patterns: RoutePattern[] | undefined;
  return (path) => {
    patterns ??= app.routes
      .filter((r) => r.method !== "ALL" && !r.path.endsWith("*"))
      .map((r) => ({ method: r.method, pattern: compile(r.path) }));
    const methods = new Set(patterns.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has("GET")) methods.add("HEAD");
    if (methods.size > 0) methods.add("OPTIONS");
    return [...methods].sort();
  };
}
