import { fullJitter, retryAfterMs } from "./backoff";
import { PushBunnyError } from "./errors";
import { call, type Fetch, httpError, type Transport, toError } from "./http";
import { createQueue, type Entry, type Item } from "./queue";
import { memoryStorage, type Storage } from "./storage";
import type {
  EventInput,
  EventsResponse,
  Intent,
  Message,
  MessageRequest,
  MessageResponse,
  Stats,
  StatsQuery,
  TrackEvent,
} from "./types";
import { createWeb, type Post } from "./web";

export interface ClientOptions {
  /** The Worker's origin, e.g. `https://edge.example.com` (no trailing path). */
  baseUrl: string;
  /** A project API key with the `message` scope (`read` too for stats()). */
  apiKey: string;
  /** Where queued events survive restarts; memory when omitted. */
  storage?: Storage;
  fetch?: Fetch;
  /** Send as soon as this many events wait (default 20). */
  flushAt?: number;
  /** Send waiting events at least this often (default 10 s). */
  flushIntervalMs?: number;
  /** Give up on a request after this long (default 3 s); message() then answers with the base example. */
  timeoutMs?: number;
  /** At most this many events wait; beyond it the oldest are dropped and reported (default 1,000). */
  maxQueueSize?: number;
  /** First retry window; doubles per failure up to maxRetryDelayMs (defaults 1 s and 60 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** The storage key of the queue; one per client that must not share events. */
  storageKey?: string;
  /** Sends with `keepalive` so a request outlives the page (the browser adapter sets it). */
  keepalive?: boolean;
  /** Told about every problem: timeouts, refused events, dropped events. Never throws into the SDK. */
  onError?: (error: PushBunnyError) => void;
  /**
   * Who web experiments assign and count: the app's own user id when it knows one; otherwise a
   * random id made once and kept in `storage` under `pushbunny:anonymous_id`.
   */
  userId?: string;
  /** Source of randomness for the backoff jitter (tests pass a seeded one). */
  random?: () => number;
}

export interface Client {
  /** The copy to show for an intent; on any failure, the base example with `fallback: true`. Never throws. */
  message(intent: Intent): Promise<Message>;
  /**
   * The segment of a web experiment to render, or null (unknown or not active: render the
   * original). Sticky per visitor; the first call records one exposure. A `#seg-<segment>` URL
   * hash answers that segment for a preview, which records nothing. Never throws.
   */
  experiment(key: string): Promise<string | null>;
  /** Queues an open or conversion (stored before it resolves); false when ignored as a duplicate or untracked. */
  track(event: TrackEvent): Promise<boolean>;
  /**
   * Counts metric `name` once for each web experiment this visitor was exposed to that tracks
   * it (queued like events); false when none does, or it was counted already.
   */
  track(name: string, properties?: Record<string, string>): Promise<boolean>;
  /** Sends every waiting event now, waiting for sends already in flight. */
  flush(): Promise<void>;
  /** Stops the timers after a last flush. */
  shutdown(): Promise<void>;
  /** Statistics of an intent (a server-side call: needs a key with the `read` scope). Throws PushBunnyError. */
  stats(query: StatsQuery): Promise<Stats>;
  /** Events and exposures stored and not yet accepted by the server. */
  readonly pending: number;
}

// The server takes 1,000 events a request; smaller batches keep one failure cheap.
const MAX_BATCH = 100;
const MAX_BATCH_BYTES = 512 * 1024;
// Browsers allow 64 KiB of keepalive bodies in flight per page.
const KEEPALIVE_BYTES = 48 * 1024;
// A Retry-After larger than this is treated as this: the queue must not sleep for a day.
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** A client on any runtime; the browser, React Native and Node entry points choose its storage and hooks. */
export function createClient(options: ClientOptions): Client {
  const flushAt = options.flushAt ?? 20;
  const interval = options.flushIntervalMs ?? 10_000;
  const baseDelay = options.retryDelayMs ?? 1000;
  const maxDelay = options.maxRetryDelayMs ?? 60_000;
  const random = options.random ?? Math.random;
  const keepalive = options.keepalive === true;
  const report = (error: PushBunnyError) => {
    try {
      options.onError?.(error);
    } catch {
      // A throwing hook must not break the queue.
    }
  };
  const t: Transport = {
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    apiKey: options.apiKey,
    // Looked up per call: some runtimes install or wrap fetch after the SDK loads.
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    timeoutMs: options.timeoutMs ?? 3000,
  };
  const storage = options.storage ?? memoryStorage();
  const storageKey = options.storageKey ?? "pushbunny:events";
  const queue = createQueue(storage, storageKey, options.maxQueueSize ?? 1000, report);
  const busy = new Set<string>();
  const running = new Set<Promise<void>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let retryAt = 0;
  let closed = false;

  const schedule = (delay: number) => {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain(false);
    }, delay);
    // Node: a waiting flush must not keep a finished script alive (shutdown() sends the rest).
    (timer as { unref?: () => void }).unref?.();
  };

  const backOff = (serverDelay: number | null) => {
    const delay =
      serverDelay === null
        ? fullJitter(failures, baseDelay, maxDelay, random)
        : Math.min(serverDelay, MAX_RETRY_AFTER_MS);
    failures++;
    retryAt = Date.now() + delay;
    clearTimeout(timer);
    timer = undefined;
    schedule(delay);
  };

  /**
   * One POST of the queue's: the answer on a 2xx; otherwise the problem is reported and, when it
   * may pass (no answer, 429, 5xx), the queue backs off and `retry` is true.
   */
  const post: Post = async <T>(path: string, body: unknown) => {
    let outcome: { ok: T } | { res: Response; error: PushBunnyError };
    try {
      outcome = await call(t, {
        method: "POST",
        path,
        body,
        keepalive,
        read: async (res) =>
          res.ok ? { ok: (await res.json()) as T } : { res, error: await httpError(res) },
      });
    } catch (err) {
      report(toError(err));
      backOff(null);
      return { retry: true };
    }
    if ("ok" in outcome) {
      failures = 0;
      retryAt = 0;
      return outcome;
    }
    const { res, error } = outcome;
    report(error);
    const retry = res.status === 429 || res.status >= 500;
    if (retry) backOff(retryAfterMs(res.headers.get("retry-after"), Date.now()));
    return { retry };
  };

  /** Sends one batch; true when the queue may go on (sent, or refused for good), false to back off. */
  const send = async (batch: Item[]): Promise<boolean> => {
    const web = batch[0]?.k === "w";
    const out = await post<EventsResponse>(web ? "/v1/web/events" : "/v1/events", {
      events: batch.map((i) => i.event),
    });
    if ("retry" in out && out.retry) return false;
    // A refused event would be refused again: drop it and say why. Any other 4xx (bad key,
    // malformed batch) would fail the same way forever: drop the batch.
    for (const r of ("ok" in out && out.ok.rejected) || []) {
      const e = batch[r.index]?.event;
      if (e)
        report(
          new PushBunnyError("rejected", `${"type" in e ? e.type : e.event} event refused: ${r.reason}`),
        );
    }
    await queue.remove(batch.map((i) => i.id));
    return true;
  };

  const drain = async (now: boolean): Promise<void> => {
    await ready;
    if (!now && Date.now() < retryAt) return;
    const run = (async () => {
      if (!(await web.send())) return;
      for (;;) {
        const batch = queue.take(MAX_BATCH, busy, keepalive ? KEEPALIVE_BYTES : MAX_BATCH_BYTES);
        if (batch.length === 0) return;
        for (const i of batch) busy.add(i.id);
        let more: boolean;
        try {
          more = await send(batch);
        } finally {
          for (const i of batch) busy.delete(i.id);
        }
        if (!more) return;
      }
    })();
    running.add(run);
    try {
      await run;
    } finally {
      running.delete(run);
    }
  };

  const enqueue = async (entry: Entry) => {
    await ready;
    if (!(await queue.add(entry))) return false;
    if (queue.size >= flushAt) void drain(false);
    else schedule(interval);
    return true;
  };

  const web = createWeb({
    t,
    storage,
    key: `${storageKey}:web`,
    userId: options.userId,
    report,
    post,
    enqueue: (event) => enqueue({ event, k: "w" }),
    kick: () => void drain(false),
  });

  const ready = Promise.all([queue.load(), web.load()]).then(() => {
    // Events and exposures a previous run left behind go out as soon as the client starts.
    if (queue.size + web.pending > 0) schedule(0);
  });

  const flush = async () => {
    await Promise.all([...running, drain(true)]);
  };

  return {
    async message(intent) {
      const body: MessageRequest = { intent_id: intent.intentId, base_example: intent.baseExample };
      if (intent.locale) body.locale = intent.locale;
      if (intent.userId) body.user_id = intent.userId;
      if (intent.context) {
        body.context = Object.fromEntries(Object.entries(intent.context).map(([k, v]) => [k, String(v)]));
      }
      try {
        const m = await call(t, {
          method: "POST",
          path: "/v1/message",
          body,
          read: async (res) => {
            if (!res.ok) throw await httpError(res);
            return (await res.json()) as MessageResponse;
          },
        });
        return {
          text: m.text,
          // Over its generation quota the edge may serve copy it does not track: no ids, no token.
          variantId: m.variant_id ?? null,
          experimentId: m.experiment_id ?? null,
          trackingToken: m.tracking_token ?? null,
          locale: m.locale ?? intent.locale ?? null,
          fallback: false,
        };
      } catch (err) {
        report(toError(err));
        return {
          text: intent.baseExample,
          variantId: null,
          experimentId: null,
          trackingToken: null,
          locale: intent.locale ?? null,
          fallback: true,
        };
      }
    },

    experiment: web.experiment,

    async track(e: TrackEvent | string, properties?: Record<string, string>) {
      if (typeof e === "string") return web.track(e, properties);
      // A fallback message has no token: there is nothing to count.
      if (!e.trackingToken) return false;
      const event: EventInput = {
        type: e.type,
        tracking_token: e.trackingToken,
        timestamp: e.timestamp ?? Date.now(),
      };
      if (e.properties) event.properties = e.properties;
      return enqueue({ event });
    },

    flush,

    async shutdown() {
      await flush();
      closed = true;
      clearTimeout(timer);
      timer = undefined;
    },

    async stats(query) {
      // Built by hand: React Native's URLSearchParams lacks set().
      const params = Object.entries(query)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join("&");
      return call(t, {
        method: "GET",
        path: `/v1/stats?${params}`,
        read: async (res) => {
          if (!res.ok) throw await httpError(res);
          return (await res.json()) as Stats;
        },
      });
    },

    get pending() {
      return queue.size + web.pending;
    },
  };
}
