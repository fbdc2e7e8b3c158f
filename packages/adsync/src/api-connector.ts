import { credentialProblems, trimmed } from "./credentials";
import { checkRange } from "./dates";
import { AdSyncError, sanitizeError } from "./errors";
import { normalizeRows, type RawMetrics } from "./normalize";
import { resolveSettings, type Settings } from "./settings";
import type { Channel, Connector, ConnectorOptions, DateRange } from "./types";

export interface FetchContext<C> {
  credentials: C;
  settings: Settings;
  range: DateRange;
  signal: AbortSignal | undefined;
}

export interface ApiConnectorSpec<C extends object> {
  channel: Channel;
  /** Human name for messages, e.g. "Meta". */
  label: string;
  credentials: C;
  options: ConnectorOptions | undefined;
  /** Fields whose values must never appear in an error message. */
  secretFields: readonly (keyof C)[];
  /** Every report row in the checked range, all pages. */
  fetchRows: (ctx: FetchContext<C>) => Promise<RawMetrics[]>;
}

/**
 * The part every real connector shares: options and credentials checked once (reported as "config"
 * errors on fetch, not thrown at construction), the range checked, rows normalized, and every error
 * leaving as a scrubbed AdSyncError.
 */
export function defineApiConnector<C extends object>(spec: ApiConnectorSpec<C>): Connector {
  const { channel, label } = spec;
  const settings = resolveSettings(channel, spec.options);
  const problems = credentialProblems(channel, spec.credentials);
  const credentials = problems.length === 0 ? trimmed(spec.credentials) : undefined;
  const raw = (spec.credentials ?? {}) as Record<PropertyKey, unknown>;
  const secrets = spec.secretFields.flatMap((field) => {
    const value = raw[field];
    return typeof value === "string" && value.trim() !== "" ? [value, value.trim()] : [];
  });

  return {
    channel,
    source: "api",
    async fetchMetrics(range, options = {}) {
      try {
        if (settings instanceof AdSyncError) throw settings;
        if (!credentials) {
          throw new AdSyncError("config", channel, `invalid ${label} credentials: ${problems.join("; ")}`);
        }
        const checked = checkRange(channel, range);
        const rows = await spec.fetchRows({ credentials, settings, range: checked, signal: options.signal });
        return normalizeRows(rows);
      } catch (err) {
        throw sanitizeError(err, channel, secrets);
      }
    },
  };
}
