import { toBase64Url } from "./encoding";
import { isId } from "./ids";

/** What a tracking token proves about an impression, without a database read. */
export interface TrackingClaims {
  projectId: string;
  experimentId: string;
  variantId: string;
  impressionId: string;
  /** When the impression was served (UTC ms). Events are attributed to this day. */
  issuedAt: number;
}

export type TokenProblem = "malformed token" | "invalid signature";

const PREFIX = "trk_";
const VERSION = "v1";
// 128 bits of HMAC-SHA256 is far beyond what an online forger can brute-force and keeps
// tokens short enough for push payloads.
const SIG_BYTES = 16;
const utf8 = new TextEncoder();

/**
 * Mints `trk_v1.<project>.<experiment>.<variant>.<impression>.<issuedAt36>.<sig>`, where `sig`
 * is the first 16 bytes of HMAC-SHA256 over everything between `trk_` and the last dot.
 * Synchronous: the HMAC runs in JavaScript from a per-secret precomputed state, which costs a
 * fraction of a WebCrypto call and its promise on the /v1/message hot path.
 */
export function signTrackingToken(secret: string, claims: TrackingClaims): string {
  const { projectId, experimentId, variantId, impressionId, issuedAt } = claims;
  // Ids are ASCII by shape, which the JavaScript HMAC relies on.
  if (
    ![projectId, experimentId, variantId, impressionId].every((id) => isId(id)) ||
    !Number.isSafeInteger(issuedAt)
  ) {
    throw new TypeError("tracking claims must be ids and an integer time");
  }
  const body = [VERSION, projectId, experimentId, variantId, impressionId, issuedAt.toString(36)].join(".");
  const mac = hmacAscii(hmacState(secret), body);
  const sig = new Uint8Array(SIG_BYTES);
  const view = new DataView(sig.buffer);
  for (let i = 0; i < SIG_BYTES / 4; i++) view.setInt32(4 * i, mac[i] as number);
  return `${PREFIX}${body}.${toBase64Url(sig)}`;
}

export type TokenVerification = { ok: true; claims: TrackingClaims } | { ok: false; problem: TokenProblem };

const ISSUED36 = /^[0-9a-z]{1,12}$/;
const SIG_CHARS = /^[A-Za-z0-9_-]*$/;

/**
 * Verifies a token's signature and shape without a database read; never throws. Synchronous
 * like the signer: a request to /v1/events may carry a thousand tokens.
 */
export function verifyTrackingToken(secret: string, token: string): TokenVerification {
  if (typeof token !== "string" || !token.startsWith(PREFIX) || token.length > 400) {
    return { ok: false, problem: "malformed token" };
  }
  const parts = token.slice(PREFIX.length).split(".");
  if (parts.length !== 7 || parts[0] !== VERSION) return { ok: false, problem: "malformed token" };
  const [, projectId, experimentId, variantId, impressionId, issued36, sig] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const issuedAt = Number.parseInt(issued36, 36);
  // Base64url alphabet, and a length that base64 can have; only 22 characters carry 16 bytes.
  if (
    !isId(projectId) ||
    !isId(experimentId) ||
    !isId(variantId) ||
    !isId(impressionId) ||
    !ISSUED36.test(issued36) ||
    !Number.isSafeInteger(issuedAt) ||
    sig.length % 4 === 1 ||
    !SIG_CHARS.test(sig)
  ) {
    return { ok: false, problem: "malformed token" };
  }
  // Every character of the signed body is ASCII now (ids and base 36 were checked above).
  const body = token.slice(PREFIX.length, token.length - sig.length - 1);
  if (sig.length !== 22 || !macMatches(hmacState(secret), body, sig)) {
    return { ok: false, problem: "invalid signature" };
  }
  return { ok: true, claims: { projectId, experimentId, variantId, impressionId, issuedAt } };
}

// ---------------------------------------------------------------------------------------------
// HMAC-SHA256 (RFC 2104 over FIPS 180-4), synchronous, for ASCII messages. Tested against
// WebCrypto and the RFC 4231 vectors.

const K256 = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const W = new Int32Array(64);

/** One SHA-256 compression of the 16 words in W[0..15] into `h`. */
function compress(h: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15] as number;
    const w2 = W[i - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  let a = h[0] as number;
  let b = h[1] as number;
  let c = h[2] as number;
  let d = h[3] as number;
  let e = h[4] as number;
  let f = h[5] as number;
  let g = h[6] as number;
  let hh = h[7] as number;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + (K256[i] as number) + (W[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = ((h[0] as number) + a) | 0;
  h[1] = ((h[1] as number) + b) | 0;
  h[2] = ((h[2] as number) + c) | 0;
  h[3] = ((h[3] as number) + d) | 0;
  h[4] = ((h[4] as number) + e) | 0;
  h[5] = ((h[5] as number) + f) | 0;
  h[6] = ((h[6] as number) + g) | 0;
  h[7] = ((h[7] as number) + hh) | 0;
}

/** SHA-256 of `bytes`, as 8 big-endian words (only used to shorten keys over 64 bytes). */
function sha256Bytes(bytes: Uint8Array): Int32Array {
  const state = Int32Array.from(H0);
  const total = bytes.length;
  const padded = new Uint8Array((((bytes.length + 8) >> 6) + 1) << 6);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor((total * 8) / 2 ** 32));
  view.setUint32(padded.length - 4, (total * 8) >>> 0);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) W[i] = view.getInt32(off + 4 * i);
    compress(state);
  }
  return state;
}

interface HmacState {
  inner: Int32Array;
  outer: Int32Array;
}
const hmacStates = new Map<string, HmacState>();

/** The SHA-256 states after the key's ipad and opad blocks: HMAC's per-key work, done once. */
function hmacState(secret: string): HmacState {
  let st = hmacStates.get(secret);
  if (st) return st;
  let key = utf8.encode(secret);
  if (key.length > 64) {
    const digest = sha256Bytes(key);
    key = new Uint8Array(32);
    const view = new DataView(key.buffer);
    for (let i = 0; i < 8; i++) view.setInt32(4 * i, digest[i] as number);
  }
  const absorbPad = (pad: number) => {
    const block = new Uint8Array(64);
    for (let i = 0; i < 64; i++) block[i] = (key[i] ?? 0) ^ pad;
    const view = new DataView(block.buffer);
    for (let i = 0; i < 16; i++) W[i] = view.getInt32(4 * i);
    const h = Int32Array.from(H0);
    compress(h);
    return h;
  };
  st = { inner: absorbPad(0x36), outer: absorbPad(0x5c) };
  if (hmacStates.size >= 16) hmacStates.clear();
  hmacStates.set(secret, st);
  return st;
}

const innerState = new Int32Array(8);
const outerState = new Int32Array(8);

/** HMAC-SHA256 of an ASCII string, written into `outerState` (all 32 bytes, as 8 words). */
function hmacAscii(st: HmacState, message: string): Int32Array {
  innerState.set(st.inner);
  const n = message.length;
  const bitLength = (64 + n) * 8;
  const blocks = ((n + 8) >> 6) + 1;
  for (let blk = 0; blk < blocks; blk++) {
    for (let i = 0; i < 16; i++) {
      let word = 0;
      for (let j = 0; j < 4; j++) {
        const pos = (blk << 6) + (i << 2) + j;
        const byte = pos < n ? message.charCodeAt(pos) & 0xff : pos === n ? 0x80 : 0;
        word = (word << 8) | byte;
      }
      W[i] = word;
    }
    if (blk === blocks - 1) {
      W[14] = Math.floor(bitLength / 2 ** 32);
      W[15] = bitLength | 0;
    }
    compress(innerState);
  }
  outerState.set(st.outer);
  for (let i = 0; i < 8; i++) W[i] = innerState[i] as number;
  W[8] = 0x80000000 | 0;
  for (let i = 9; i < 15; i++) W[i] = 0;
  W[15] = (64 + 32) * 8;
  compress(outerState);
  return outerState;
}

const B64 = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  B64["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charCodeAt(i)] = i;
}

/** Constant-time: does the 22-character base64url `sig` equal the first 16 bytes of the MAC? */
function macMatches(st: HmacState, body: string, sig: string): boolean {
  const mac = hmacAscii(st, body);
  let diff = 0;
  let acc = 0;
  let bits = 0;
  let byteIndex = 0;
  for (let i = 0; i < 22; i++) {
    acc = (acc << 6) | (B64[sig.charCodeAt(i)] as number);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const byte = (acc >>> bits) & 0xff;
      const word = mac[byteIndex >> 2] as number;
      diff |= byte ^ ((word >>> (24 - 8 * (byteIndex & 3))) & 0xff);
      byteIndex++;
    }
  }
  return diff === 0;
}

/** HMAC-SHA256 of an ASCII message in JavaScript; exported for tests against WebCrypto. */
export function hmacSha256AsciiForTest(secret: string, message: string): Uint8Array {
  const mac = hmacAscii(hmacState(secret), message);
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) view.setInt32(4 * i, mac[i] as number);
  return out;
}
