import type {
  ChannelCredentials,
  GoogleAdsCredentials,
  MetaCredentials,
  TikTokCredentials,
} from "./credentials";
import { createGoogleAdsConnector } from "./google-ads";
import { createMetaConnector } from "./meta";
import { createSandboxConnector } from "./sandbox";
import { createTikTokConnector } from "./tiktok";
import { type Channel, type Connector, type ConnectorOptions, isChannel } from "./types";

export {
  type ChannelCredentials,
  type CredentialIssue,
  credentialIssues,
  credentialProblems,
  type GoogleAdsCredentials,
  type MetaCredentials,
  type TikTokCredentials,
} from "./credentials";
export { MAX_RANGE_DAYS } from "./dates";
export {
  AdSyncError,
  type AdSyncErrorKind,
  type AdSyncFailure,
  type AdSyncFailureCode,
  describeFailure,
  isAdSyncError,
  redactTokens,
} from "./errors";
export { createGoogleAdsConnector } from "./google-ads";
export { createMetaConnector } from "./meta";
export { createSandboxConnector } from "./sandbox";
export { createTikTokConnector } from "./tiktok";
export {
  type CampaignMetrics,
  CHANNELS,
  type Channel,
  type Connector,
  type ConnectorOptions,
  type DateRange,
  type FetchOptions,
  type RetryPolicy,
} from "./types";

/**
 * The real API client when credentials are given, the deterministic sandbox when they are null or
 * undefined. Credentials are checked with credentialProblems; problems surface as a "config"
 * AdSyncError from fetchMetrics.
 */
export function createConnector(
  channel: Channel,
  credentials: ChannelCredentials | null | undefined,
  options: ConnectorOptions = {},
): Connector {
  // A programming error (the type forbids it), not an operator's: fail at once.
  if (!isChannel(channel)) throw new TypeError(`unknown ad channel ${JSON.stringify(channel)}`);
  if (credentials === null || credentials === undefined) {
    return createSandboxConnector(channel, options.seed === undefined ? {} : { seed: options.seed });
  }
  switch (channel) {
    case "facebook":
    case "instagram":
      return createMetaConnector(channel, credentials as MetaCredentials, options);
    case "google_ads":
      return createGoogleAdsConnector(credentials as GoogleAdsCredentials, options);
    case "tiktok":
      return createTikTokConnector(credentials as TikTokCredentials, options);
  }
}
