/** What the Worker needs from a `pull_request` delivery: which PR, and whether it was merged. */
export interface PullRequestEvent {
  /** "opened", "closed", "reopened", "ready_for_review", … */
  action: string;
  installationId: number;
  /** `owner/name`. */
  repository: string;
  number: number;
  merged: boolean;
  headRef: string;
  baseRef: string;
}

const encoder = new TextEncoder();

function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    usage,
  ]);
}

const asBytes = (body: Uint8Array | string) => (typeof body === "string" ? encoder.encode(body) : body);

/**
 * Checks `X-Hub-Signature-256: sha256=<hex>` over the raw body. False when the header is missing
 * or malformed; crypto.subtle.verify compares in constant time.
 */
export async function verifyGitHubSignature(
  secret: string,
  rawBody: Uint8Array | string,
  header: string | null,
): Promise<boolean> {
  if (!secret || !header) return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match?.[1]) return false;
  const hex = match[1];
  const signature = new Uint8Array(32);
  for (let i = 0; i < 32; i += 1) signature[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), signature, asBytes(rawBody));
}

/** The `X-Hub-Signature-256` value GitHub would send for this body (tests and local deliveries). */
export async function signGitHubWebhook(secret: string, rawBody: Uint8Array | string): Promise<string> {
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), asBytes(rawBody)),
  );
  return `sha256=${[...mac].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value > 0;

/** The fields of a `pull_request` event, or null when the payload is not one. */
export function parsePullRequestEvent(json: unknown): PullRequestEvent | null {
  if (!isObject(json)) return null;
  const { action, installation, repository, pull_request: pr } = json;
  if (typeof action !== "string" || !isObject(installation) || !isObject(repository) || !isObject(pr)) {
    return null;
  }
  // GitHub sends the number at the top and inside pull_request; either will do, a bad one will not.
  const number = json.number === undefined ? pr.number : json.number;
  const { head, base } = pr;
  if (
    !isId(installation.id) ||
    typeof repository.full_name !== "string" ||
    !repository.full_name.includes("/") ||
    !isId(number) ||
    !isObject(head) ||
    !isObject(base) ||
    typeof head.ref !== "string" ||
    typeof base.ref !== "string"
  ) {
    return null;
  }
  return {
    action,
    installationId: installation.id,
    repository: repository.full_name,
    number,
    merged: pr.merged === true,
    headRef: head.ref,
    baseRef: base.ref,
  };
}
