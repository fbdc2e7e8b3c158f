import { describe, expect, it } from "vitest";
import { classifyPushResponse, type PushOutcome } from "../src/index";

const NOW = Date.parse("2026-11-20T10:00:00Z");

describe("classifyPushResponse", () => {
  const cases: [number, Record<string, string>, PushOutcome][] = [
    [201, {}, { kind: "sent" }],
    [200, {}, { kind: "sent" }],
    [202, {}, { kind: "sent" }],
    [404, {}, { kind: "expired", status: 404 }],
    [410, {}, { kind: "expired", status: 410 }],
    [413, {}, { kind: "too_large", status: 413 }],
    [429, { "retry-after": "30" }, { kind: "rate_limited", retryAfterMs: 30_000 }],
    [429, { "retry-after": " 0 " }, { kind: "rate_limited", retryAfterMs: 0 }],
    [
      429,
      { "retry-after": "Fri, 20 Nov 2026 10:02:00 GMT" },
      { kind: "rate_limited", retryAfterMs: 120_000 },
    ],
    // A date already past means "now", not a negative wait.
    [429, { "retry-after": "Fri, 20 Nov 2026 09:59:00 GMT" }, { kind: "rate_limited", retryAfterMs: 0 }],
    [429, {}, { kind: "rate_limited", retryAfterMs: 60_000 }],
    [429, { "retry-after": "soon" }, { kind: "rate_limited", retryAfterMs: 60_000 }],
    [429, { "retry-after": "-5" }, { kind: "rate_limited", retryAfterMs: 60_000 }],
    [401, {}, { kind: "vapid_rejected", status: 401 }],
    [403, {}, { kind: "vapid_rejected", status: 403 }],
    [500, {}, { kind: "retry", status: 500 }],
    [502, {}, { kind: "retry", status: 502 }],
    [503, { "retry-after": "10" }, { kind: "retry", status: 503 }],
    [400, {}, { kind: "failed", status: 400 }],
    [405, {}, { kind: "failed", status: 405 }],
    [301, {}, { kind: "redirected", status: 301 }],
    [302, { location: "https://evil.example/" }, { kind: "redirected", status: 302 }],
    [307, {}, { kind: "redirected", status: 307 }],
    [308, {}, { kind: "redirected", status: 308 }],
  ];

  it.each(cases)("%i %j → %j", (status, headers, outcome) => {
    expect(classifyPushResponse(status, new Headers(headers), NOW)).toEqual(outcome);
  });
});
