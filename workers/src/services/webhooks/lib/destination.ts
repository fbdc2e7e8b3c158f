import { isLoopbackHost, normalizeEndpoint } from "@pushbunny/webpush";

/** Longest accepted endpoint URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

// Names that only mean something inside a network (RFC 6761, RFC 6762, RFC 8375, ICANN's
// .internal): a tenant naming one is pointing us at someone's private service.
const PRIVATE_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa", ".localdomain", ".lan", ".corp"];
const PRIVATE_NAMES = new Set(["localhost", "localhost.localdomain", "broadcasthost", "ip6-localhost"]);

// IPv4 ranges that are not on the public internet (RFC 6890): [first address, prefix length].
const PRIVATE_V4: readonly [string, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved and broadcast
];

function v4ToInt(address: string): number | null {
  const parts = address.split(".");
  if (parts.length !== 4) return null;
  let out = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    out = out * 256 + n;
  }
  return out;
}

function privateV4(value: number): boolean {
  return PRIVATE_V4.some(([base, bits]) => {
    const start = v4ToInt(base) ?? 0;
    const size = 2 ** (32 - bits);
    return value >= start && value < start + size;
  });
}

/** The eight 16-bit groups of an IPv6 address as the URL parser writes it (compressed, no zone). */
function v6Groups(address: string): number[] | null {
  let text = address;
  // A dotted IPv4 tail (::ffff:1.2.3.4); WHATWG parsers rewrite it to hex, but be sure.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1]) {
    const v4 = v4ToInt(tail[1]);
    if (v4 === null) return null;
    text = `${text.slice(0, -tail[1].length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (s: string) =>
    s === "" ? [] : s.split(":").map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN));
  const head = parse(halves[0] ?? "");
  const rest = halves.length === 2 ? parse(halves[1] ?? "") : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  if (fill < 0) return null;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return null;
  return groups;
}

/**
 * Whether an IPv6 address may be a destination: global unicast (2000::/3) only, without the
 * transition prefixes that carry an IPv4 address inside (6to4, Teredo) or documentation. The
 * IPv4-mapped, IPv4-compatible and NAT64 forms count as their IPv4 address.
 */
function v6Problem(address: string): string | null {
  const g = v6Groups(address);
  if (!g) return "not a valid IPv6 address";
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = g6 * 65536 + g7;
  const mapped = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0xffff || g5 === 0);
  const nat64 = g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0;
  if (mapped || nat64) {
    return privateV4(embedded) || embedded === 0 || embedded === 1 ? "a private or reserved address" : null;
  }
  if ((g0 & 0xe000) !== 0x2000) return "a private or reserved address";
  if (g0 === 0x2002 || (g0 === 0x2001 && g1 === 0) || (g0 === 0x2001 && g1 === 0xdb8)) {
    return "a private or reserved address";
  }
  return null;
}

export interface DestinationPolicy {
  /** http and any port on localhost / 127.0.0.0/8 / [::1] as written: tests and local development. */
  allowLoopback: boolean;
}

/**
 * Problems with a webhook destination, each starting "url: " (empty = acceptable). The Worker
 * will POST tenant data to it, so the rules are those of push endpoints and more: https on the
 * default port, no credentials, no IP literal outside the public internet in any spelling the
 * URL parser accepts (decimal, hex, octal, shorthand, IPv4-mapped IPv6), no local-only names.
 */
export function destinationProblems(raw: string, policy: DestinationPolicy): string[] {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return [`url: longer than ${MAX_WEBHOOK_URL_LENGTH} characters`];
  const normal = normalizeEndpoint(raw);
  if (!normal.ok) return [normal.problem.replace(/^endpoint:/, "url:")];
  let url: URL;
  try {
    url = new URL(normal.endpoint);
  } catch {
    return ["url: not a valid URL"];
  }
  // The host as written must be what the parser reads: `http://2130706433/` is 127.0.0.1 to the
  // parser and must not pass for the loopback exception.
  const loopback = policy.allowLoopback && normal.host === url.hostname && isLoopbackHost(normal.host);
  const problems: string[] = [];
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    problems.push("url: must be an https URL");
  if (url.username !== "" || url.password !== "") problems.push("url: must not contain credentials");
  if (loopback) return problems;
  if (url.port !== "" && url.port !== "443")
    problems.push("url: only the default https port (443) is allowed");
  // One trailing dot is the root (example.com. is example.com); more, or an empty label, is not a
  // host name, and `localhost..` must not slip past the name checks below.
  const host = url.hostname.replace(/\.$/, "");
  if (host === "" || host.endsWith(".") || host.includes("..")) {
    problems.push(`url: ${url.hostname} is not a valid host name`);
    return problems;
  }
  if (host.startsWith("[")) {
    const problem = v6Problem(host.slice(1, -1));
    if (problem) problems.push(`url: ${url.hostname} is ${problem}`);
    return problems;
  }
  // After parsing, an IPv4 literal in any spelling is four dotted decimals; a name that merely
  // ends in digits (1.2.3.4.example) is not.
  const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? v4ToInt(host) : null;
  if (v4 !== null) {
    if (privateV4(v4) || v4 === 0xffffffff) problems.push(`url: ${host} is a private or reserved address`);
    return problems;
  }
  if (PRIVATE_NAMES.has(host) || PRIVATE_SUFFIXES.some((s) => host.endsWith(s))) {
    problems.push(`url: ${host} is a local-only name`);
  } else if (!host.includes(".")) {
    problems.push(`url: ${host} is not a public domain name`);
  }
  return problems;
}
