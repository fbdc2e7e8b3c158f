import { PushBunnyError } from "./errors";
import { call, httpError, type Transport, toError } from "./http";
import type { Storage } from "./storage";
import type { WebEventInput, WebExperimentsResponse, WebExposureResponse } from "./types";
import { assignSegment } from "./web-assignment";

/** Where the visitor's id lives: one per browser profile or app install, shared by every client. */
export const ANONYMOUS_ID_KEY = "pushbunny:anonymous_id";

/** A metric reported before its exposure's token arrived: sent with the token once it does. */
type Held = Omit<WebEventInput, "tracking_token">;

/** One exposure: experiment, visitor id, segment, metrics; its token once the server took it. */
interface Exposure {
  e: string;
  a: string;
  s: string;
  m: string[];
  t?: string;
  /** Refused by the server (unknown or no longer active): answers null, never resent. */
  d?: 1;
  q?: Held[];
}

interface Saved {
  c?: WebExperimentsResponse;
  /** When `c` was fetched (Unix ms). */
  at?: number;
  x?: Exposure[];
}

/** A 2xx answer's body, or a failure already reported: `retry` when it may pass (the queue backs off). */
export type Post = <T>(path: string, body: unknown) => Promise<{ ok: T } | { retry: boolean }>;

export interface WebDeps {
  t: Transport;
  storage: Storage;
  key: string;
  userId?: string;
  report: (error: PushBunnyError) => void;
  post: Post;
  /** Queues a metric like any event (stored first, batched, retried); false for a repeat. */
  enqueue: (event: WebEventInput) => Promise<boolean>;
  /** Asks the client to send what waits (an exposure just recorded). */
  kick: () => void;
}

const uuid = (): string => {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  // React Native without a crypto polyfill: an id only needs to be unlikely to repeat, not secret.
  let s = "";
  for (let i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
};

/**
 * The `#seg-<segment>` of a preview link (alone or among other `&`-separated hash parts), or
 * null. Only a slug (what segment keys are) counts: anything else in the hash is not a preview.
 * Read on every call, so a single-page app that changes the hash previews at once.
 */
const preview = (): string | null =>
  /(?:^#|&)seg-([a-z0-9][a-z0-9-]{0,62})(?:&|$)/.exec(
    (globalThis as { location?: { hash?: string } }).location?.hash ?? "",
  )?.[1] ?? null;

/**
 * The preview shown for an experiment: one of its segments when its config is known; any slug
 * for one the config does not list (a preview of an experiment not active yet).
 */
const previewOf = (e: WebExperimentsResponse["experiments"][number] | undefined): string | null => {
  const p = preview();
  return p && (!e || e.segments.some((s) => s.key === p)) ? p : null;
};

/**
 * Web experiments: the active experiments' config (memory and storage, refreshed in the
 * background once stale, used from storage offline), sticky segments from the shared hash, one
 * exposure per (experiment, visitor) recorded before it is sent and resent until the server
 * answers, and metrics fanned out to the exposures whose experiment tracks them.
 */
export function createWeb(d: WebDeps) {
  let cfg: WebExperimentsResponse | undefined;
  let at = 0;
  let x: Exposure[] = [];
  let fetching: Promise<void> | undefined;
  let sending: Promise<boolean> | undefined;
  let anon: Promise<string> | undefined;
  let writing: Promise<void> = Promise.resolve();

  const read = async (): Promise<Saved> => {
    try {
      const v = JSON.parse((await d.storage.getItem(d.key)) ?? "{}") as Saved | null;
      // Anything but an object (a value another script wrote) reads as nothing stored.
      return v && typeof v === "object" ? v : {};
    } catch (err) {
      d.report(new PushBunnyError("storage", `could not read web experiments: ${String(err)}`));
      return {};
    }
  };

  // Another tab may have fetched a newer config, had an exposure answered, or held a metric:
  // adopt all three. Held metrics are kept even when the other tab sent its own (at least once:
  // the server counts a metric once per exposure).
  const merge = (s: Saved) => {
    if (s.c && (s.at ?? 0) > at) {
      cfg = s.c;
      at = s.at ?? 0;
    }
    for (const r of Array.isArray(s.x) ? s.x : []) {
      const mine = x.find((m) => m.e === r.e && m.a === r.a);
      if (!mine) x.push(r);
      else if (!mine.t && !mine.d) {
        if (r.t || r.d) Object.assign(mine, { s: r.s, t: r.t, d: r.d });
        const held = mine.q ?? [];
        for (const h of r.q ?? []) if (!held.some((o) => o.event === h.event)) held.push(h);
        if (held.length) mine.q = held;
      }
    }
  };

  const save = () => {
    writing = writing.then(async () => {
      merge(await read());
      // Exposures of experiments that ended count for nothing more; unsent ones stay to be sent.
      const live = cfg?.experiments.map((e) => e.key);
      if (live) x = x.filter((r) => !(r.t || r.d) || live.includes(r.e));
      try {
        await d.storage.setItem(d.key, JSON.stringify({ c: cfg, at, x } satisfies Saved));
      } catch (err) {
        d.report(new PushBunnyError("storage", `could not save web experiments: ${String(err)}`));
      }
    });
    return writing;
  };

  const load = () => {
    writing = writing.then(async () => merge(await read()));
    return writing;
  };

  const refresh = () =>
    (fetching ??= call(d.t, {
      method: "GET",
      path: "/v1/web/experiments",
      read: async (res) => {
        if (!res.ok) throw await httpError(res);
        return (await res.json()) as WebExperimentsResponse;
      },
    })
      .then(
        (c) => {
          cfg = c;
          at = Date.now();
          return save();
        },
        (err) => d.report(toError(err)),
      )
      .finally(() => {
        fetching = undefined;
      }));

  /** The config now: fetched when there is none, else the stored one while a stale one refreshes. */
  const config = async () => {
    await writing;
    if (!cfg) await refresh();
    else if (Date.now() - at >= Math.max(60, cfg.refresh_seconds || 300) * 1000) void refresh();
    return cfg;
  };

  const visitor = (): Promise<string> => {
    if (d.userId) return Promise.resolve(d.userId);
    anon ??= (async () => {
      const stored = await d.storage.getItem(ANONYMOUS_ID_KEY).catch(() => null);
      if (stored) return stored;
      const id = uuid();
      await d.storage.setItem(ANONYMOUS_ID_KEY, id).catch((err) => {
        d.report(new PushBunnyError("storage", `could not save the anonymous id: ${String(err)}`));
      });
      return id;
    })();
    return anon;
  };

  const sendAll = async (): Promise<boolean> => {
    for (const r of x) {
      if (r.d) continue;
      if (!r.t) {
        const out = await d.post<WebExposureResponse>("/v1/web/exposures", {
          experiment: r.e,
          anonymous_id: r.a,
        });
        if ("ok" in out) {
          // The server's segment wins: it is the one its statistics count.
          r.s = out.ok.segment;
          r.t = out.ok.tracking_token;
        } else if (out.retry) {
          return false;
        } else {
          // 404 unknown, 409 not active, or a refusal that would repeat: never resend it.
          r.d = 1;
          r.q = undefined;
        }
        await save();
      }
      if (r.t && r.q) {
        // A metric held offline may predate the token by more than the server's clock skew
        // allowance; the identity of a metric is (exposure, name), so its time can move up.
        const now = Date.now();
        for (const h of r.q)
          await d.enqueue({ ...h, tracking_token: r.t, timestamp: Math.max(h.timestamp, now) });
        r.q = undefined;
        await save();
      }
    }
    return true;
  };

  return {
    load,

    /** Exposures and held metrics not yet sent. */
    get pending() {
      return x.reduce((n, r) => n + (r.d ? 0 : (r.t ? 0 : 1) + (r.q?.length ?? 0)), 0);
    },

    /**
     * Sends unsent exposures, then queues metrics held for them; false to back off. Reads the
     * store first: another tab may have had the same exposure answered.
     */
    send: (): Promise<boolean> =>
      (sending ??= load()
        .then(sendAll)
        .finally(() => {
          sending = undefined;
        })),

    async experiment(key: string): Promise<string | null> {
      try {
        const exp = (await config())?.experiments.find((e) => e.key === key);
        // A link naming no segment of a known experiment is ignored: the visitor is assigned.
        const p = previewOf(exp);
        if (p !== null) return p;
        if (!exp) return null;
        const a = await visitor();
        let r = x.find((m) => m.e === key && m.a === a);
        if (!r) {
          const segments = exp.segments.map((s) => ({ key: s.key, trafficPercent: s.traffic_percent }));
          r = { e: key, a, s: assignSegment(key, a, segments), m: exp.metrics };
          x.push(r);
          await save();
          d.kick();
        }
        return r.d ? null : r.s;
      } catch (err) {
        d.report(toError(err));
        return null;
      }
    },

    async track(name: string, properties?: Record<string, string>): Promise<boolean> {
      const c = await config();
      // Nothing was exposed (a preview, or no experiment yet): no visitor id is made for nothing.
      if (x.length === 0) return false;
      const a = await visitor();
      const done = new Set<string>();
      let tracked = false;
      // This visitor's exposure first; then one made under an earlier id (before a sign-in).
      for (const r of [...x].sort((p, q) => Number(q.a === a) - Number(p.a === a))) {
        const e = c?.experiments.find((x) => x.key === r.e);
        const metrics = c ? e?.metrics : r.m;
        // A preview is not a visit: nothing is counted for an experiment it shows.
        if (r.d || done.has(r.e) || !metrics?.includes(name) || previewOf(e) !== null) continue;
        done.add(r.e);
        const held: Held = { event: name, timestamp: Date.now() };
        if (properties) held.properties = properties;
        if (r.t) tracked = (await d.enqueue({ ...held, tracking_token: r.t })) || tracked;
        else if (!r.q?.some((h) => h.event === name)) {
          r.q = [...(r.q ?? []), held];
          tracked = true;
          await save();
          d.kick();
        }
      }
      return tracked;
    },
  };
}
