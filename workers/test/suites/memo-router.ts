import { TrieRouter } from "hono/router/trie-router";
import { describe, expect, it } from "vitest";
import { MemoTrieRouter } from "../../src/http/memo-router";

const ROUTES: [string, string][] = [
  ["ALL", "*"],
  ["ALL", "/v1/*"],
  ["POST", "/v1/message"],
  ["GET", "/v1/notifications/history"],
  ["GET", "/v1/notifications/:notification_id"],
  ["DELETE", "/v1/notifications/:notification_id"],
  ["GET", "/push/:project/sw.js"],
  ["GET", "/push/sw.js"],
];

describe("MemoTrieRouter", () => {
  it("answers exactly as the trie does, the first time and from memory", () => {
    const memo = new MemoTrieRouter<string>();
    const trie = new TrieRouter<string>();
    for (const [m, p] of ROUTES) {
      memo.add(m, p, `${m} ${p}`);
      trie.add(m, p, `${m} ${p}`);
    }
    const probes: [string, string][] = [
      ["POST", "/v1/message"],
      ["GET", "/v1/notifications/history"],
      ["GET", "/v1/notifications/ntf_1"],
      ["GET", "/v1/notifications/ntf_2"],
      ["DELETE", "/v1/notifications/ntf_1"],
      ["GET", "/push/prj_a/sw.js"],
      ["GET", "/push/sw.js"],
      ["GET", "/nowhere"],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [m, p] of probes) expect(memo.match(m, p), `${m} ${p}`).toEqual(trie.match(m, p));
    }
  });

  it("forgets what it knew when a route is added, and stays bounded under unique paths", () => {
    const memo = new MemoTrieRouter<string>();
    memo.add("GET", "/a/:id", "first");
    expect(memo.match("GET", "/a/1")[0].map(([h]) => h)).toEqual(["first"]);
    memo.add("GET", "/a/1", "second");
    expect(memo.match("GET", "/a/1")[0].map(([h]) => h)).toEqual(["first", "second"]);
    for (let i = 0; i < 5_000; i++) memo.match("GET", `/a/${i}`);
    expect((memo as unknown as { results: Map<string, unknown> }).results.size).toBeLessThanOrEqual(2_000);
  });
});
