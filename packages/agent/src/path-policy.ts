import type { AppDetection } from "./framework";
import { basename } from "./paths";

/** Why a write was refused; the reason text is shown to the LLM so it can correct itself. */
export type RefusalCode =
  | "invalid_path"
  | "outside_source"
  | "hidden_path"
  | "secret"
  | "lockfile"
  | "config"
  | "generated"
  | "server_code"
  | "test_code"
  | "file_type"
  | "too_large";

export type WriteCheck =
  | { ok: true; path: string }
  | { ok: false; refused: true; code: RefusalCode; reason: string };

export interface WritePolicy {
  /** Bytes one file may have (UTF-8). */
  maxFileBytes: number;
  /** Characters a path may have. */
  maxPathLength: number;
}

/** 100 KB per file and 200 characters per path: segment files are small components. */
export const DEFAULT_WRITE_POLICY: WritePolicy = { maxFileBytes: 100_000, maxPathLength: 200 };

// What the agent writes: components, pages, styles, and data they import.
const ALLOWED_EXTENSIONS = /\.(tsx|ts|jsx|js|mjs|vue|css|scss|sass|less|json|svg|mdx)$/;
// Portable names: letters, digits and the punctuation of route folders ((group), [slug], @slot).
const SAFE_SEGMENT = /^[A-Za-z0-9_\-.()[\]@+]+$/;
const GENERATED = new Set(["node_modules", "dist", "build", "out", "coverage", "vendor", "public"]);
const LOCKFILE =
  /^(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|.*\.lock)$/;
const SECRET =
  /(secret|credential|private[-_]?key|\.pem$|\.key$|\.p12$|\.pfx$|\.crt$|\.cer$|\.jks$|\.keystore$|\.gpg$|\.asc$|^id_(rsa|ed25519|ecdsa|dsa))|(^|[._-])env($|[._-])/;
const CONFIG =
  /^(package\.json|(ts|js)config(\.[\w-]+)?\.json|.*\.config\.[a-z]+|vercel\.json|netlify\.toml|wrangler\.(toml|json|jsonc)|turbo\.json|nx\.json|lerna\.json|components\.json|dockerfile|jenkinsfile|makefile|procfile|codeowners)$/;
// Next.js runs these on the server or at build time whatever folder they are in (route handlers,
// middleware, instrumentation, metadata images and files).
const SERVER_CODE =
  /^(middleware|instrumentation(-client)?|route|opengraph-image|twitter-image|sitemap|robots)\.(js|jsx|ts|tsx|mjs|mts|cjs|cts)$/;
// Tests, mocks, stories and test-runner/dev-server setup: run by CI or a developer's machine, never part of the page.
const TEST_NAME = /(\.(test|spec|stories|story)\.[^/]+$)|^(setuptests|setupproxy)\.[^/]+$/;
const TEST_FOLDER = /^(__tests__|__mocks__|__snapshots__)$/;

/** True when the text starts with the "use server" directive (a Next.js server actions module). */
export function startsWithUseServer(content: string): boolean {
  const body = content.replace(/^\uFEFF/, "").replace(/^(\s+|\/\/[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, "");
  return /^(["'])use server\1/.test(body);
}

/** Path segments that are hidden, or name a secret, key or environment file. */
function secretOrHidden(segments: readonly string[]): { code: RefusalCode; reason: string } | null {
  const hidden = segments.find((segment) => segment.startsWith("."));
  if (hidden !== undefined)
    return {
      code: "hidden_path",
      reason: `Hidden files and folders (${hidden}) are off limits: CI, env and tool settings live there.`,
    };
  const name = (segments[segments.length - 1] ?? "").toLowerCase();
  if (SECRET.test(name) || segments.some((segment) => /^(secrets?|credentials|certs?|keys)$/i.test(segment)))
    return {
      code: "secret",
      reason: `${segments[segments.length - 1]} looks like a secret, key or environment file.`,
    };
  return null;
}

export type ReadCheck = { ok: true; path: string } | { ok: false; code: RefusalCode; reason: string };

/**
 * Whether the agent may read `path` for the model: never hidden files (.env*, .npmrc, CI) or
 * anything named like a secret or key, and never over the per-file cap (`bytes` when known).
 * A read refused here never reaches the model's context, so it can never be copied into a write.
 */
export function checkReadPath(
  path: string,
  bytes?: number,
  policy: WritePolicy = DEFAULT_WRITE_POLICY,
): ReadCheck {
  if (typeof path !== "string" || path.length === 0 || path.includes("\\") || path.startsWith("/"))
    return { ok: false, code: "invalid_path", reason: "Use a path relative to the repository root." };
  const clean = path.replace(/^(\.\/)+/, "");
  const segments = clean.split("/");
  if (segments.some((segment) => segment === "" || segment === "." || segment === ".."))
    return { ok: false, code: "invalid_path", reason: 'The path has an empty, "." or ".." part.' };
  const denied = secretOrHidden(segments);
  if (denied) return { ok: false, ...denied };
  if (bytes !== undefined && bytes > policy.maxFileBytes)
    return {
      ok: false,
      code: "too_large",
      reason: `${clean} has ${bytes} bytes; files over ${policy.maxFileBytes} bytes are not read.`,
    };
  return { ok: true, path: clean };
}

/**
 * Whether the agent may write `path`: only inside the app's source folders, never CI, secrets,
 * lockfiles, manifests, config, generated folders or server code, and never over the size cap.
 * Paths are taken literally: nothing is decoded or normalised except a leading "./".
 * Deny rules ignore case (macOS and Windows checkouts do); allowed folders must match exactly.
 */
export function checkWritePath(
  path: string,
  detection: Pick<AppDetection, "sourceDirs">,
  content?: string,
  policy: WritePolicy = DEFAULT_WRITE_POLICY,
): WriteCheck {
  const refuse = (code: RefusalCode, reason: string): WriteCheck => ({
    ok: false,
    refused: true,
    code,
    reason,
  });
  if (typeof path !== "string" || path.length === 0) return refuse("invalid_path", "The path is empty.");
  if (path.length > policy.maxPathLength)
    return refuse("invalid_path", `The path is longer than ${policy.maxPathLength} characters.`);
  if (path.includes("\\")) return refuse("invalid_path", 'Use "/" in paths, not backslashes.');
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path))
    return refuse("invalid_path", "Use a path relative to the repository root.");
  if (/%[0-9A-Fa-f]{2}/.test(path) || path.includes("%"))
    return refuse("invalid_path", "Percent-encoded paths are not accepted.");
  if (/[^\x20-\x7e]/.test(path))
    return refuse("invalid_path", "Only printable ASCII characters are accepted in paths.");
  const clean = path.replace(/^(\.\/)+/, "");
  const segments = clean.split("/");
  for (const segment of segments) {
    if (segment === "" || segment === "." || segment === "..") {
      return refuse("invalid_path", 'The path has an empty, "." or ".." part.');
    }
    if (!SAFE_SEGMENT.test(segment) || /[. ]$/.test(segment) || segment.includes("~")) {
      return refuse("invalid_path", `"${segment}" is not a portable file or folder name.`);
    }
    const lower = segment.toLowerCase();
    if (GENERATED.has(lower))
      return refuse("generated", `${segment}/ holds installed, built or static files.`);
  }
  const name = basename(clean).toLowerCase();
  const denied = secretOrHidden(segments);
  if (denied) return refuse(denied.code, denied.reason);
  if (LOCKFILE.test(name)) return refuse("lockfile", "Lockfiles are never changed by the agent.");
  if (CONFIG.test(name)) return refuse("config", `${basename(clean)} is a manifest or configuration file.`);
  if (SERVER_CODE.test(name) || /(^|\/)pages\/api\//i.test(clean)) {
    return refuse("server_code", "Server code (API routes, route handlers, middleware) is out of scope.");
  }
  if (TEST_NAME.test(name) || segments.some((segment) => TEST_FOLDER.test(segment)))
    return refuse(
      "test_code",
      `${basename(clean)} is a test, mock, story or test setup file; the agent writes only app code.`,
    );
  if (!ALLOWED_EXTENSIONS.test(name))
    return refuse(
      "file_type",
      `Only source files are written (.tsx, .ts, .jsx, .js, .vue, .css…), not ${basename(clean)}.`,
    );
  const inside = detection.sourceDirs.find((dir) => clean.startsWith(`${dir}/`));
  if (!inside) {
    const dirs = detection.sourceDirs.map((dir) => `${dir}/`).join(", ");
    return refuse(
      "outside_source",
      dirs ? `Write only inside the app's source folders: ${dirs}.` : "No source folder was detected.",
    );
  }
  if (content !== undefined) {
    const bytes = new TextEncoder().encode(content).byteLength;
    if (bytes > policy.maxFileBytes)
      return refuse("too_large", `The file has ${bytes} bytes; the limit is ${policy.maxFileBytes}.`);
    if (startsWithUseServer(content))
      return refuse(
        "server_code",
        'A "use server" module holds server actions; server code is out of scope.',
      );
  }
  return { ok: true, path: clean };
}
