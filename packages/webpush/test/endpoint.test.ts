import { describe, expect, it } from "vitest";
import {
  DEFAULT_PUSH_HOSTS,
  type EndpointPolicy,
  endpointProblems,
  isLoopbackHost,
  normalizeEndpoint,
} from "../src/index";

const production: EndpointPolicy = { allowedHosts: DEFAULT_PUSH_HOSTS, allowLoopback: false };
const local: EndpointPolicy = { allowedHosts: DEFAULT_PUSH_HOSTS, allowLoopback: true };

describe("normalizeEndpoint", () => {
  const same: [string, string][] = [
    ["  https://fcm.googleapis.com/fcm/send/AbC  ", "https://fcm.googleapis.com/fcm/send/AbC"],
    ["HTTPS://FCM.GoogleAPIs.com/fcm/send/AbC", "https://fcm.googleapis.com/fcm/send/AbC"],
    ["\nhttps://Web.Push.Apple.com/QGq2Vb-Token?x=Y\t", "https://web.push.apple.com/QGq2Vb-Token?x=Y"],
    ["Http://LOCALHOST:8787/Push/1", "http://localhost:8787/Push/1"],
  ];
  it.each(same)("%j → %s (path and query kept byte for byte)", (raw, expected) => {
    expect(normalizeEndpoint(raw)).toMatchObject({ ok: true, endpoint: expected });
  });

  it("gives one browser's endpoint one form whatever the spelling", () => {
    const forms = [
      "https://fcm.googleapis.com/fcm/send/tok",
      " HTTPS://FCM.GOOGLEAPIS.COM/fcm/send/tok",
      "https://Fcm.Googleapis.Com/fcm/send/tok\r\n",
      "https://fcm.googleapis.com:443/fcm/send/tok",
    ].map((e) => normalizeEndpoint(e));
    expect(new Set(forms.map((f) => (f.ok ? f.endpoint : f.problem))).size).toBe(1);
  });

  const refused: [string, string][] = [
    ["a space inside", "https://fcm.googleapis.com/fcm/send/a b"],
    ["a tab inside", "https://fcm.googleapis.com/fcm/\tsend/ab"],
    ["a newline inside", "https://fcm.googleapis.com/fcm/send/a\nb"],
    ["a NUL", "https://fcm.googleapis.com/fcm/send/a\u0000b"],
    ["DEL", "https://fcm.googleapis.com/fcm/send/a\u007fb"],
    ["a no-break space", "https://fcm.googleapis.com/fcm/send/a\u00a0b"],
    ["a zero-width space", "https://fcm.googleapis.com/fcm/send/a\u200bb"],
  ];
  it.each(refused)("refuses %s", (_name, raw) => {
    expect(normalizeEndpoint(raw)).toEqual({
      ok: false,
      problem: "endpoint: must not contain whitespace or control characters",
    });
    expect(endpointProblems(raw, production)).toEqual([
      "endpoint: must not contain whitespace or control characters",
    ]);
  });

  it("refuses a percent-encoded host, another spelling of the same browser", () => {
    expect(normalizeEndpoint("https://fcm%2Egoogleapis.com/fcm/send/tok")).toEqual({
      ok: false,
      problem: "endpoint: the host must not be percent-encoded",
    });
  });

  it("validates the normalized form", () => {
    expect(endpointProblems("  HTTPS://FCM.googleapis.com/fcm/send/x ", production)).toEqual([]);
  });
});

describe("loopback means localhost, 127.0.0.0/8 and [::1], nothing else", () => {
  const loopback = [
    "http://localhost/p",
    "http://localhost:8787/p",
    "http://127.0.0.1:9/p",
    "http://127.0.0.1/p",
    "http://127.1.2.3:8080/p",
    "http://127.255.255.255/p",
    "http://[::1]:9/p",
    "http://LOCALHOST:1/p",
  ];
  it.each(loopback)("accepts %s when allowed, never in production", (endpoint) => {
    expect(endpointProblems(endpoint, local)).toEqual([]);
    expect(endpointProblems(endpoint, production)).not.toEqual([]);
  });

  const notLoopback = [
    "http://0.0.0.0:8787/p",
    "http://localhost.example.com/p",
    "http://localhost./p",
    "http://2130706433/p",
    "http://0x7f000001/p",
    "http://0x7f.0.0.1/p",
    "http://0177.0.0.1/p",
    "http://127.1/p",
    "http://127.0.0.01/p",
    "http://[::ffff:127.0.0.1]/p",
    "http://[0:0:0:0:0:0:0:1]/p",
    "http://128.0.0.1/p",
    "http://10.0.0.1/p",
    "http://evil.com@127.0.0.1/p",
  ];
  it.each(notLoopback)("refuses %s even when loopback is allowed", (endpoint) => {
    expect(endpointProblems(endpoint, local)).not.toEqual([]);
  });

  it("isLoopbackHost takes the host exactly as written", () => {
    expect(["localhost", "127.0.0.1", "127.10.20.30", "[::1]"].every(isLoopbackHost)).toBe(true);
    expect(
      ["0.0.0.0", "localhost.example.com", "2130706433", "0x7f.1", "127.0.0.256", "[::]", "::1"].some(
        isLoopbackHost,
      ),
    ).toBe(false);
  });
});
