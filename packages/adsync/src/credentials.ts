import { CHANNELS, type Channel, isChannel } from "./types";

/** A Meta system-user access token (ads_read) and the ad account it reads. Serves facebook and instagram. */
export interface MetaCredentials {
  accessToken: string;
  /** Digits; a leading "act_" is accepted and stripped. */
  adAccountId: string;
  /** Graph API version, default "v24.0". */
  apiVersion?: string;
}

/** Google Ads API access: developer token, an OAuth client and a refresh token for the adwords scope. */
export interface GoogleAdsCredentials {
  developerToken: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** 10 digits; dashes allowed and stripped. */
  customerId: string;
  /** The manager account the access goes through, when there is one. */
  loginCustomerId?: string;
  /** Default "v24". */
  apiVersion?: string;
}

/** A TikTok for Business long-term access token with the Reporting scope, and the advertiser it reads. */
export interface TikTokCredentials {
  accessToken: string;
  advertiserId: string;
}

export type ChannelCredentials = MetaCredentials | GoogleAdsCredentials | TikTokCredentials;

/** One thing wrong with one credentials field. `problem` never contains the value. */
export interface CredentialIssue {
  field: string;
  problem: string;
}

type FieldCheck = (value: string) => string | undefined;

interface FieldSpec {
  required: boolean;
  check: FieldCheck;
}

// Values copied from docs, READMEs and .env templates instead of the real thing. Each pattern is
// anchored or delimited so a random token (base62, ~200 characters) cannot match by chance.
const PLACEHOLDERS: readonly [RegExp, string][] = [
  [/…|\.{3}/, "is a placeholder (it contains an ellipsis): paste the whole value"],
  [/[<>{}]/, "is a placeholder (<…> or {…}): replace it with the real value"],
  [
    /^x{3,}$|x{4,}$|^x{4,}|(^|[^a-z0-9])x{3,}([^a-z0-9]|$)/i,
    "is a placeholder (xxx): replace it with the real value",
  ],
  [
    /(^|[^a-z0-9])(todo|fixme|tbd|changeme|change[_-]me|replace[_-]?me|placeholder|your[_-]|insert[_-])/i,
    "is a placeholder (TODO, your…, changeme): replace it with the real value",
  ],
  [/^(null|undefined|none|n\/a|token|secret|example|test|string)$/i, "is a placeholder, not a real value"],
];

/** Problems every credential value shares: type, emptiness, whitespace, quotes, placeholders. */
function basicProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a string";
  const v = value.trim();
  if (v === "") return "must not be empty";
  for (const [pattern, problem] of PLACEHOLDERS) if (pattern.test(v)) return problem;
  if (/\s/.test(v)) return "must not contain whitespace (pasted with a line break?)";
  if (/^["'`]|["'`]$/.test(v)) return "must not be wrapped in quotes";
  return undefined;
}

const matching =
  (pattern: RegExp, expectation: string): FieldCheck =>
  (v) =>
    pattern.test(v) ? undefined : expectation;

const customerId: FieldCheck = (v) =>
  /^[\d-]+$/.test(v) && v.replace(/-/g, "").length === 10
    ? undefined
    : "must be the 10-digit customer id (dashes allowed, e.g. 123-456-7890)";

// Meta user, system-user and page tokens all start with "EAA" and are base62, 100–250 characters.
const metaAccessToken: FieldCheck = (v) =>
  /^EAA[A-Za-z0-9]{29,}$/.test(v)
    ? undefined
    : /^EAA/.test(v)
      ? "must be a whole Meta access token: letters and digits only, at least 32 characters"
      : 'must be a Meta access token (it starts with "EAA")';

const googleRefreshToken: FieldCheck = (v) => {
  if (/^ya29\./.test(v)) {
    return 'is an OAuth access token (ya29.…), which expires within an hour: send the refresh token ("1//…")';
  }
  return /^1\/\/[A-Za-z0-9_-]{16,}$/.test(v)
    ? undefined
    : 'must be a Google OAuth refresh token ("1//" followed by letters, digits, "-" and "_")';
};

const META: Record<keyof MetaCredentials, FieldSpec> = {
  accessToken: { required: true, check: metaAccessToken },
  adAccountId: {
    required: true,
    check: matching(/^(act_)?\d+$/, 'must be the numeric ad account id, optionally prefixed with "act_"'),
  },
  apiVersion: { required: false, check: matching(/^v\d+\.\d+$/, 'must look like "v24.0"') },
};

const GOOGLE_ADS: Record<keyof GoogleAdsCredentials, FieldSpec> = {
  // 22 characters in the API Center; a little slack in case Google lengthens them.
  developerToken: {
    required: true,
    check: matching(
      /^[A-Za-z0-9_-]{20,40}$/,
      'must be the developer token from the API Center: about 22 letters, digits, "-" or "_"',
    ),
  },
  clientId: {
    required: true,
    check: matching(
      /^\d+-[a-z0-9]+\.apps\.googleusercontent\.com$/,
      'must be an OAuth client id like "123…-abc….apps.googleusercontent.com"',
    ),
  },
  clientSecret: {
    required: true,
    check: matching(/^[A-Za-z0-9_-]{10,}$/, 'must be the OAuth client secret (e.g. "GOCSPX-…")'),
  },
  refreshToken: { required: true, check: googleRefreshToken },
  customerId: { required: true, check: customerId },
  loginCustomerId: { required: false, check: customerId },
  apiVersion: { required: false, check: matching(/^v\d+$/, 'must look like "v24"') },
};

const TIKTOK: Record<keyof TikTokCredentials, FieldSpec> = {
  // Long-term Business API tokens are 40 hexadecimal characters.
  accessToken: {
    required: true,
    check: matching(
      /^[A-Za-z0-9]{20,}$/,
      "must be the TikTok long-term access token: letters and digits only (40 characters)",
    ),
  },
  advertiserId: { required: true, check: matching(/^\d+$/, "must be the numeric advertiser id") },
};

const SPECS: Record<Channel, Record<string, FieldSpec>> = {
  facebook: META,
  instagram: META,
  google_ads: GOOGLE_ADS,
  tiktok: TIKTOK,
};

/**
 * What is wrong with `value` as credentials for `channel`, one issue per field; empty when they
 * look usable. Checks the shape each channel's values have (prefixes, lengths, alphabets) and
 * rejects placeholders ("EAAB…", "<your token>", "xxx", "TODO"). Never echoes values, which are
 * secrets. Whether the channel accepts them is only known on the first fetch.
 */
export function credentialIssues(channel: Channel, value: unknown): CredentialIssue[] {
  if (!isChannel(channel)) {
    return [{ field: "channel", problem: `unknown channel ${JSON.stringify(String(channel))}` }];
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [
      { field: "credentials", problem: `must be an object with ${requiredFields(channel).join(", ")}` },
    ];
  }
  const spec = SPECS[channel];
  const record = value as Record<string, unknown>;
  const issues: CredentialIssue[] = [];
  for (const [field, { required, check }] of Object.entries(spec)) {
    const fieldValue = record[field];
    if (fieldValue === undefined || fieldValue === null) {
      if (required) issues.push({ field, problem: "required" });
      continue;
    }
    const problem = basicProblem(fieldValue) ?? check((fieldValue as string).trim());
    if (problem) issues.push({ field, problem });
  }
  const unknown = Object.keys(record).filter((field) => !(field in spec));
  for (const field of unknown) {
    const suggestion = Object.keys(spec).find((known) => known === camelCase(field));
    issues.push({ field, problem: `unknown field${suggestion ? ` (did you mean ${suggestion}?)` : ""}` });
  }
  const other = unknown.length > 0 ? channelWithFields(Object.keys(record), channel) : undefined;
  if (other) issues.push({ field: "credentials", problem: `these look like ${other} credentials` });
  return issues;
}

/** credentialIssues as "field: problem" lines. */
export function credentialProblems(channel: Channel, value: unknown): string[] {
  return credentialIssues(channel, value).map((i) => `${i.field}: ${i.problem}`);
}

function requiredFields(channel: Channel): string[] {
  return Object.entries(SPECS[channel])
    .filter(([, spec]) => spec.required)
    .map(([field]) => field);
}

/** Another channel all of whose required fields are present, when `channel`'s are not. */
function channelWithFields(fields: string[], channel: Channel): string | undefined {
  const same = (c: Channel) => SPECS[c] === SPECS[channel];
  const match = CHANNELS.find((c) => !same(c) && requiredFields(c).every((f) => fields.includes(f)));
  if (!match) return undefined;
  return match === "facebook" || match === "instagram" ? "Meta (facebook/instagram)" : match;
}

function camelCase(field: string): string {
  return field.replace(/[_-]+([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Trimmed copies of the string fields: pasted credentials often end in a newline. */
export function trimmed<T extends object>(credentials: T): T {
  return Object.fromEntries(
    Object.entries(credentials).map(([k, v]) => [k, typeof v === "string" ? v.trim() : v]),
  ) as T;
}
