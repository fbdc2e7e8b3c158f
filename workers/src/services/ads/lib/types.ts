import type { AdSyncErrorKind, AdSyncFailureCode } from "@pushbunny/adsync";
import type { AdChannel, AdSyncRunRow, ChannelRunResult, SyncRunStatus } from "@pushbunny/db";

/** Why a channel's sync failed, as a run and a connection record it. Never holds a credential. */
export interface SyncFailure {
  kind: AdSyncErrorKind | string;
  /**
   * Machine code (connection_failed, timeout, credentials_rejected, rate_limited, channel_error,
   * malformed_response, …); absent on runs recorded before codes existed.
   */
  code?: AdSyncFailureCode | string;
  message: string;
  /** HTTP status of the failed response, when there was one. */
  status?: number;
  /** How long the channel asked us to wait. */
  retryAfterMs?: number;
  /** When this channel is tried again (a queued retry run), Unix ms. */
  retryAt?: number;
}

/** One channel's part of a run. Runs recorded before failure codes existed lack `error.code`. */
export interface ChannelResult extends Omit<ChannelRunResult, "error"> {
  error?: SyncFailure;
}

/** A project's connection to one ad channel. The credentials never leave the service layer. */
export interface AdConnection {
  channel: AdChannel;
  source: "api" | "sandbox";
  /** The ad account, customer or advertiser the credentials read; null for the sandbox. */
  accountId: string | null;
  lastStatus: "ok" | "error" | null;
  lastError: { code: string | null; message: string } | null;
  lastSyncedAt: number | null;
  connectedAt: number;
}

/** One sync of a project's channels and what came of it. */
export interface AdSyncRun {
  id: string;
  trigger: AdSyncRunRow["trigger"];
  status: SyncRunStatus;
  attempt: number;
  since: string;
  until: string;
  channels: AdChannel[] | null;
  rows: number;
  results: ChannelResult[];
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** A stored run as the domain sees it. */
export function toSyncRun(r: AdSyncRunRow): AdSyncRun {
  return {
    id: r.id,
    trigger: r.trigger,
    status: r.status,
    attempt: r.attempt,
    since: r.since,
    until: r.until,
    channels: r.channels,
    rows: r.rows,
    results: r.results as ChannelResult[],
    queuedAt: r.queuedAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

/** The text stored in channel_accounts.last_error: "code: message". */
export function storedError(failure: SyncFailure): string {
  return `${failure.code ?? failure.kind}: ${failure.message}`.slice(0, 500);
}

/** Reads channel_accounts.last_error back; older rows hold "kind: message", read the same way. */
export function parseStoredError(text: string | null): AdConnection["lastError"] {
  if (text === null) return null;
  const match = /^([a-z_]+): ([\s\S]*)$/.exec(text);
  return match ? { code: match[1] ?? null, message: match[2] ?? "" } : { code: null, message: text };
}
