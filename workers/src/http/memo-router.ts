import type { Result, Router } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";

// Distinct method+path pairs kept; attacker-chosen paths only churn the cache, never grow it.
const MAX_ENTRIES = 2_000;

/**
 * Hono's TrieRouter with its answers remembered per method and path. Hono's fastest router
 * (RegExpRouter) cannot express a static segment beside a parameter (`/v1/notifications/history`
 * next to `/v1/notifications/{notification_id}`), so the app runs on the trie, which walks its
 * nodes on every request: about 7% of a warm /v1/message's CPU in a profile. The hot paths are
 * constant (`/v1/message`, `/v1/events`), so remembering the walk's result makes them a lookup,
 * as RegExpRouter does for static paths. Results are read, never changed, by Hono.
 */
export class MemoTrieRouter<T> implements Router<T> {
  readonly name = "MemoTrieRouter";
  private readonly trie = new TrieRouter<T>();
  private readonly results = new Map<string, Result<T>>();

  add(method: string, path: string, handler: T): void {
    this.trie.add(method, path, handler);
    this.results.clear();
  }

  match(method: string, path: string): Result<T> {
    const key = `${method} ${path}`;
    let result = this.results.get(key);
    if (result === undefined) {
      result = this.trie.match(method, path);
      if (this.results.size >= MAX_ENTRIES) this.results.clear();
      this.results.set(key, result);
    }
    return result;
  }
}
