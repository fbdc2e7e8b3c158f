import { PushBunnyError } from "./errors";
import type { Storage } from "./storage";
import type { EventInput, WebEventInput } from "./types";

/**
 * What a queued item carries: an open or conversion for /v1/events, or (`k: "w"`) a web
 * experiment's metric for /v1/web/events. Queues stored before web experiments have no `k` and
 * read as the former.
 */
export type Entry = { event: EventInput; k?: undefined } | { event: WebEventInput; k: "w" };

/** One queued event. `id` is its identity for the whole of its life: a retry resends the same item. */
export type Item = Entry & { id: string };

interface Persisted {
  q: Item[];
  /** (type, token) pairs already tracked, so a second open or conversion of one message (or a
   * second report of one metric for one exposure) is not sent. */
  s: string[];
}

// Remembered (type, token) pairs: enough to cover every message a user acts on in a session.
const MAX_SEEN = 1000;
// Ids this client removed; kept so a merge never brings back what was already sent or dropped.
const MAX_GONE = 5000;

const newId = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 10);

/**
 * The persistent event queue. Every change is written before it counts (an event is stored
 * before it is sent, and removed only after the server took it), so a process or tab that dies
 * mid-flight leaves the event for the next start: at-least-once delivery, which the server's
 * per-(impression, type) uniqueness turns into exactly-once counts. Each write first merges
 * what the store holds, so two tabs sharing localStorage adopt each other's events instead of
 * overwriting them.
 */
export function createQueue(
  storage: Storage,
  key: string,
  maxSize: number,
  report: (error: PushBunnyError) => void,
) {
  let items: Item[] = [];
  let seen: string[] = [];
  const gone = new Set<string>();
  let writing: Promise<void> = Promise.resolve();

  const forget = (ids: Iterable<string>) => {
    for (const id of ids) gone.add(id);
    for (const id of gone) {
      if (gone.size <= MAX_GONE) break;
      gone.delete(id);
    }
  };

  const read = async (): Promise<Persisted> => {
    try {
      const raw = await storage.getItem(key);
      const p = raw ? (JSON.parse(raw) as Partial<Persisted>) : null;
      return { q: Array.isArray(p?.q) ? p.q : [], s: Array.isArray(p?.s) ? p.s : [] };
    } catch (err) {
      report(new PushBunnyError("storage", `could not read the event queue: ${String(err)}`));
      return { q: [], s: [] };
    }
  };

  const merge = (p: Persisted) => {
    const known = new Set(items.map((i) => i.id));
    for (const item of p.q) if (!known.has(item.id) && !gone.has(item.id)) items.push(item);
    seen = [...new Set([...p.s, ...seen])].slice(-MAX_SEEN);
    if (items.length > maxSize) {
      const dropped = items.splice(0, items.length - maxSize);
      forget(dropped.map((i) => i.id));
      report(
        new PushBunnyError("dropped", `event queue full (${maxSize}): dropped the ${dropped.length} oldest`),
      );
    }
  };

  // Writes are chained: two overlapping read-merge-write cycles would lose each other's changes.
  const save = () => {
    writing = writing.then(async () => {
      merge(await read());
      try {
        await storage.setItem(key, JSON.stringify({ q: items, s: seen } satisfies Persisted));
      } catch (err) {
        report(new PushBunnyError("storage", `could not save the event queue: ${String(err)}`));
      }
    });
    return writing;
  };

  return {
    get size() {
      return items.length;
    },
    load: () => {
      writing = writing.then(async () => merge(await read()));
      return writing;
    },
    /** Stores the event; false when this (type, token) was tracked before. */
    async add(entry: Entry): Promise<boolean> {
      const e = entry.event;
      const pair = "type" in e ? `${e.type} ${e.tracking_token}` : `w ${e.event} ${e.tracking_token}`;
      if (seen.includes(pair)) return false;
      seen.push(pair);
      items.push({ id: newId(), ...entry } as Item);
      await save();
      return true;
    },
    /**
     * The oldest items not already being sent, up to `max` and about `maxBytes` of JSON, all of
     * the oldest one's kind (each kind has its own endpoint).
     */
    take(max: number, busy: Set<string>, maxBytes: number): Item[] {
      const out: Item[] = [];
      let bytes = 0;
      for (const item of items) {
        if (out.length === max) break;
        if (busy.has(item.id) || (out[0] && out[0].k !== item.k)) continue;
        bytes += JSON.stringify(item.event).length + 1;
        if (out.length > 0 && bytes > maxBytes) break;
        out.push(item);
      }
      return out;
    },
    /** Removes items the server answered for (taken, refused or not worth retrying). */
    remove(ids: string[]): Promise<void> {
      const drop = new Set(ids);
      forget(drop);
      items = items.filter((i) => !drop.has(i.id));
      return save();
    },
  };
}
