// The hostile inputs the fuzz test sends to every operation. Add a case here when a new kind of
// input breaks something: every route picks it up. Each entry has a name, so a failure report
// says which input did it.

/** Strings for path parameters, query values and string fields. */
export const HOSTILE_STRINGS: Record<string, string> = {
  empty: "",
  blank: "   ",
  loneHighSurrogate: "\ud800",
  loneLowSurrogate: "\udfff",
  reversedPair: "\udc00\ud800",
  nul: "a\u0000b",
  controls: "\u0001\u0007\u001b[31m",
  rtlOverride: "\u202egnp.exe",
  zeroWidth: "\u200b\u200d\ufeff",
  emojiZwj: "👩‍👩‍👧‍👦🏳️‍🌈",
  cjk200: "购".repeat(200),
  long10k: "x".repeat(10_000),
  long100k: "y".repeat(100_000),
  protoKey: "__proto__",
  constructorKey: "constructor",
  templateProto: "Hi {{constructor}} {{__proto__}} {{toString}}",
  templateBroken: "{{ {{a}} }} {{",
  html: "<script>alert(1)</script><img src=x onerror=alert(1)>",
  sql: "'; DROP TABLE experiments; --",
  pathTraversal: "../../../../etc/passwd",
  percent: "%ZZ%00%2F%",
  numberWords: "NaN",
  hugeNumber: "1e309",
  negative: "-1",
  float: "0.5",
  jsonish: '{"a":[1,2]}',
  idShaped: "exp_ffffffffffffffffffff",
  otherPrefix: "prj_0000000000000000000000",
  longId: `sub_${"0".repeat(300)}`,
  dateGarbage: "2026-13-45T25:61:61Z",
  dateFarFuture: "+275760-09-13T00:00:00.000Z",
  localeJunk: "english",
  url: "javascript:alert(1)",
  urlData: "data:text/html,<script>alert(1)</script>",
  urlInternal: "http://169.254.169.254/latest/meta-data/",
};

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** JSON values for body fields and whole bodies. */
export const HOSTILE_VALUES: Record<string, unknown> = {
  null: null,
  true: true,
  false: false,
  zero: 0,
  negative: -1,
  fraction: 0.5,
  maxSafePlusOne: 2 ** 53 + 1,
  tiny: 5e-324,
  big: 1e308,
  emptyArray: [],
  emptyObject: {},
  arrayOfNulls: [null, null],
  longArray: Array.from({ length: 5_000 }, (_, i) => i),
  longStringArray: Array.from({ length: 2_000 }, () => "t"),
  protoPollution: JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
  deep64: nested(64, "x"),
  deep2000: nested(2_000, 1),
  wideObject: Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, i])),
  ...Object.fromEntries(
    [
      "empty",
      "loneHighSurrogate",
      "nul",
      "long100k",
      "protoKey",
      "templateProto",
      "hugeNumber",
      "idShaped",
    ].map((k) => [`string:${k}`, HOSTILE_STRINGS[k]]),
  ),
};

/** Raw request bodies JSON.stringify cannot make. */
export const HOSTILE_RAW_BODIES: Record<string, string | Uint8Array> = {
  nothing: "",
  truncated: '{"a":',
  notJson: "hello",
  trailingGarbage: '{"a":1} x',
  jsonNull: "null",
  jsonString: '"text"',
  infinity: "1e309",
  infinityField: '{"limit":1e309,"timestamp":1e309,"ttl":-1e309}',
  duplicateKeys: '{"intent_id":"a","intent_id":{"x":1}}',
  escapedSurrogate: '{"intent_id":"\\ud800","base_example":"\\udfff","text":"\\ud800"}',
  deepArray: "[".repeat(100_000),
  deepObject: '{"a":'.repeat(50_000),
  bom: "\ufeff{}",
  invalidUtf8: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  overlongUtf8: new Uint8Array([0x5b, 0x22, 0xc0, 0xaf, 0x22, 0x5d]),
};

/** Headers that lie about the body. */
export const HOSTILE_CONTENT_TYPES: Record<string, string | null> = {
  none: null,
  text: "text/plain",
  form: "application/x-www-form-urlencoded",
  utf16: "application/json; charset=utf-16",
  garbage: "}}{{;;",
};
