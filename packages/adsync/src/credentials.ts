import { type Channel, isChannel } from "./types";

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

type FieldCheck = (value: unknown) => string | undefined;

interface FieldSpec {
  required: boolean;
  check: FieldCheck;
}

const token: FieldCheck = (v) =>
  typeof v !== "string"
    ? "must be a string"
    : v.trim() === ""
      ? "must not be empty"
      : /\s/.test(v.trim())
        ? "must not contain whitespace (pasted with a line break?)"
        : undefined;

const matching =
  (pattern: RegExp, expectation: string): FieldCheck =>
  (v) => {
    const bad = token(v);
    if (bad) return bad;
    return pattern.test((v as string).trim()) ? undefined : expectation;
  };

const customerId: FieldCheck = (v) => {
  const bad = token(v);
  if (bad) return bad;
  const trimmed = (v as string).trim();
  return /^[\d-]+$/.test(trimmed) && trimmed.replace(/-/g, "").length === 10
    ? undefined
    : "must be the 10-digit customer id (dashes allowed, e.g. 123-456-7890)";
};

const META: Record<keyof MetaCredentials, FieldSpec> = {
  accessToken: { required: true, check: token },
  adAccountId: {
    required: true,
    check: matching(/^(act_)?\d+$/, 'must be the numeric ad account id, optionally prefixed with "act_"'),
  },
  apiVersion: { required: false, check: matching(/^v\d+\.\d+$/, 'must look like "v24.0"') },
};

const GOOGLE_ADS: Record<keyof GoogleAdsCredentials, FieldSpec> = {
  developerToken: { required: true, check: token },
  clientId: {
    required: true,
    check: matching(/\.apps\.googleusercontent\.com$/, 'must end with ".apps.googleusercontent.com"'),
  },
  clientSecret: { required: true, check: token },
  refreshToken: { required: true, check: token },
  customerId: { required: true, check: customerId },
  loginCustomerId: { required: false, check: customerId },
  apiVersion: { required: false, check: matching(/^v\d+$/, 'must look like "v24"') },
};

const TIKTOK: Record<keyof TikTokCredentials, FieldSpec> = {
  accessToken: { required: true, check: token },
  advertiserId: { required: true, check: matching(/^\d+$/, "must be the numeric advertiser id") },
};

const SPECS: Record<Channel, Record<string, FieldSpec>> = {
  facebook: META,
  instagram: META,
  google_ads: GOOGLE_ADS,
  tiktok: TIKTOK,
};

/**
 * What is wrong with `value` as credentials for `channel`, one "field: problem" line each; empty when
 * they look usable. Never echoes values, which are secrets. Whether the channel accepts them is only
 * known on the first fetch.
 */
export function credentialProblems(channel: Channel, value: unknown): string[] {
  if (!isChannel(channel)) return [`channel: unknown channel ${JSON.stringify(String(channel))}`];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [`credentials: must be an object with ${requiredFields(channel).join(", ")}`];
  }
  const spec = SPECS[channel];
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [field, { required, check }] of Object.entries(spec)) {
    const fieldValue = record[field];
    if (fieldValue === undefined || fieldValue === null) {
      if (required) problems.push(`${field}: required`);
      continue;
    }
    const problem = check(fieldValue);
    if (problem) problems.push(`${field}: ${problem}`);
  }
  for (const field of Object.keys(record)) {
    if (field in spec) continue;
    const suggestion = Object.keys(spec).find((known) => known === camelCase(field));
    problems.push(`${field}: unknown field${suggestion ? ` (did you mean ${suggestion}?)` : ""}`);
  }
  return problems;
}

function requiredFields(channel: Channel): string[] {
  return Object.entries(SPECS[channel])
    .filter(([, spec]) => spec.required)
    .map(([field]) => field);
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
