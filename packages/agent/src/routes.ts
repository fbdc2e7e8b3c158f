// Route matching shared by the file-system routers (Next.js) and the route tables of SPAs
// (react-router, vue-router): both are turned into the same segment patterns.

export type RouteSegment =
  | { type: "static"; value: string }
  | { type: "param"; optional: boolean }
  | { type: "rest"; optional: boolean };

/** How a pattern matched: exactly, through parameters, or through a catch-all. */
export type RouteMatch = "exact" | "param" | "rest";

/** "/pricing/" → ["pricing"]; query, hash and duplicate slashes are dropped. */
export function routeSegments(route: string): string[] {
  return route
    .replace(/[?#].*$/, "")
    .split("/")
    .filter((part) => part !== "");
}

/** A route pattern's parts as written ("/projects/:id?" keeps its "?", unlike a URL). */
export function patternParts(pattern: string): string[] {
  return pattern.split("/").filter((part) => part !== "");
}

/** A Next.js folder name as a segment: [slug], [...slug], [[...slug]]. */
export function nextSegment(part: string): RouteSegment {
  if (/^\[\[\.\.\.[^\]]+\]\]$/.test(part)) return { type: "rest", optional: true };
  if (/^\[\.\.\.[^\]]+\]$/.test(part)) return { type: "rest", optional: false };
  if (/^\[[^\]]+\]$/.test(part)) return { type: "param", optional: false };
  return { type: "static", value: part };
}

/** A react-router or vue-router path part: :id, :id?, *, :pathMatch(.*)*. */
export function spaSegment(part: string): RouteSegment {
  if (part === "*" || /^:[\w]+\(\.\*\)[*+]?$/.test(part))
    return { type: "rest", optional: !part.endsWith("+") };
  if (/^:[\w-]+\?$/.test(part)) return { type: "param", optional: true };
  if (part.startsWith(":")) return { type: "param", optional: false };
  return { type: "static", value: part };
}

/** Matches a route against a pattern; null when it does not match. */
export function matchRoute(pattern: readonly RouteSegment[], route: readonly string[]): RouteMatch | null {
  let worst: RouteMatch = "exact";
  const rank = { exact: 0, param: 1, rest: 2 } as const;
  const note = (kind: RouteMatch) => {
    if (rank[kind] > rank[worst]) worst = kind;
  };
  const walk = (p: number, r: number): boolean => {
    if (p === pattern.length) return r === route.length;
    const segment = pattern[p] as RouteSegment;
    if (segment.type === "static") return route[r] === segment.value && walk(p + 1, r + 1);
    if (segment.type === "param") {
      if (r < route.length && walk(p + 1, r + 1)) {
        note("param");
        return true;
      }
      return segment.optional && walk(p + 1, r);
    }
    for (let take = route.length - r; take >= (segment.optional ? 0 : 1); take -= 1) {
      if (walk(p + 1, r + take)) {
        note("rest");
        return true;
      }
    }
    return false;
  };
  return walk(0, 0) ? worst : null;
}

/**
 * The text of the route a path literal belongs to: the enclosing object literal for
 * `{ path: "/x", element: … }`, the enclosing JSX tag for `<Route path="/x" element={…} />`.
 */
export function routeExtent(code: string, at: number, objectSyntax: boolean): [number, number] {
  if (!objectSyntax) {
    const tag = code.lastIndexOf("<", code.lastIndexOf("Route", at));
    return [tag < 0 ? Math.max(0, at - 300) : tag, Math.min(code.length, at + 400)];
  }
  let depth = 0;
  let start = -1;
  for (let i = at - 1; i >= 0; i -= 1) {
    const ch = code[i];
    if (ch === "}") depth += 1;
    else if (ch === "{") {
      if (depth === 0) {
        start = i;
        break;
      }
      depth -= 1;
    }
  }
  if (start < 0) return [Math.max(0, at - 300), Math.min(code.length, at + 400)];
  depth = 0;
  for (let i = start; i < code.length; i += 1) {
    const ch = code[i];
    if (ch === "{") depth += 1;
    else if (ch === "}") {
      depth -= 1;
      if (depth === 0) return [start, i + 1];
    }
  }
  return [start, code.length];
}
