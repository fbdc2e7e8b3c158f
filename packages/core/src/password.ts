import { decodeBase64Url, encodeBase64Url } from "./encoding";

// Password hashing with PBKDF2-SHA256 through WebCrypto (docs/adr/0015-password-hashing.md).
// Stored as `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`, so the parameters travel
// with each hash and can be raised later: verifyPassword reports `needsRehash` for old ones.

export const PASSWORD_ALGORITHM = "pbkdf2-sha256";
/**
 * Deployed Workers refuse PBKDF2 above 100,000 iterations (a NotSupportedError), while local
 * workerd and Node accept any count, so a higher value would pass every test and fail in
 * production. hashPassword refuses it; a test pins it.
 */
export const MAX_PBKDF2_ITERATIONS = 100_000;
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

const utf8 = new TextEncoder();

/** The parameters and bytes of a stored hash. */
export interface PasswordHashParts {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash uses other parameters than today's: store a fresh one after a good login. */
  needsRehash: boolean;
}

// A lone surrogate would be encoded as U+FFFD, so two different passwords would share a hash.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Why a new password is refused, or null when it is acceptable: 10–256 characters (code
 * points), not only whitespace, valid Unicode. Length and not much else, as NIST SP 800-63B
 * advises; composition rules make passwords weaker in practice.
 */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (password.trim() === "") return "must not be only whitespace";
  if (LONE_SURROGATE.test(password)) return "must be valid Unicode (a lone surrogate such as \\ud800 is not)";
  return null;
}

// NFKC, as SP 800-63B suggests: the same password typed on two keyboards (composed "é" or "e"
// plus a combining accent, full-width digits) must hash the same.
const passwordBytes = (password: string) => utf8.encode(password.normalize("NFKC"));

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  const key = await crypto.subtle.importKey("raw", passwordBytes(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/** Hashes a password with a fresh 16-byte salt; refuses iteration counts deployed Workers cannot run. */
export async function hashPassword(password: string, options: { iterations?: number } = {}): Promise<string> {
  const iterations = options.iterations ?? PBKDF2_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new RangeError(
      `PBKDF2 iterations must be 1–${MAX_PBKDF2_ITERATIONS}: deployed Workers reject more (got ${iterations})`,
    );
  }
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return formatPasswordHash({ iterations, salt, hash });
}

export function formatPasswordHash(parts: PasswordHashParts): string {
  return [
    PASSWORD_ALGORITHM,
    parts.iterations,
    encodeBase64Url(parts.salt),
    encodeBase64Url(parts.hash),
  ].join("$");
}

const ITERATIONS = /^[1-9][0-9]{0,8}$/;

/** The parts of a stored hash, or null when it is not one this code can verify. */
export function parsePasswordHash(stored: string): PasswordHashParts | null {
  const fields = stored.split("$");
  if (fields.length !== 4) return null;
  const [algorithm, iterationsText, saltText, hashText] = fields as [string, string, string, string];
  if (algorithm !== PASSWORD_ALGORITHM || !ITERATIONS.test(iterationsText)) return null;
  const iterations = Number(iterationsText);
  // Above the cap a deployed Worker throws: such a hash could never be checked there.
  if (iterations > MAX_PBKDF2_ITERATIONS) return null;
  const salt = decodeBase64Url(saltText);
  const hash = decodeBase64Url(hashText);
  if (!salt || !hash || salt.length < 8 || hash.length < 16) return null;
  return { iterations, salt, hash };
}

/** Compares two byte strings in time that depends only on their length. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * Checks a password against a stored hash with the stored parameters. A hash this code cannot
 * read verifies nothing (`ok: false`) and asks for a rehash.
 */
export async function verifyPassword(password: string, stored: string): Promise<PasswordCheck> {
  const parts = parsePasswordHash(stored);
  if (!parts) return { ok: false, needsRehash: true };
  const candidate = await derive(password, parts.salt, parts.iterations);
  const ok = constantTimeEqual(candidate, parts.hash);
  const needsRehash =
    parts.iterations !== PBKDF2_ITERATIONS ||
    parts.salt.length !== SALT_BYTES ||
    parts.hash.length !== HASH_BYTES;
  return { ok, needsRehash };
}

// A well-formed hash of no one's password (zero salt and hash), for the dummy check below.
const DUMMY_HASH = formatPasswordHash({
  iterations: PBKDF2_ITERATIONS,
  salt: new Uint8Array(SALT_BYTES),
  hash: new Uint8Array(HASH_BYTES),
});

/**
 * Spends what a real check costs and answers false: logins for unknown emails (or accounts
 * without a password) then take as long as wrong passwords, so timing reveals no account.
 */
export async function verifyNoPassword(password: string): Promise<false> {
  await verifyPassword(password, DUMMY_HASH);
  return false;
}
