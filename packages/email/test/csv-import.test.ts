import { describe, expect, it } from "vitest";
import {
  type CsvCursor,
  cursorAtRow,
  type ImportedContact,
  mapHeader,
  normalizeEmail,
  parseContactsChunk,
  parseContactsCsv,
  readCsvHeader,
} from "../src";

describe("normalizeEmail", () => {
  it.each([
    ["  Ada.Lovelace+News@Example.COM ", "ada.lovelace+news@example.com"],
    ["USER@EXAMPLE.COM.", "user@example.com"],
    ["jürgen@bücher.de", "jürgen@xn--bcher-kva.de"],
    ["o'brien@example.co.uk", "o'brien@example.co.uk"],
    ["x@sub.xn--p1ai", "x@sub.xn--p1ai"],
  ])("normalises %j to %j", (input, output) => {
    expect(normalizeEmail(input)).toEqual({ ok: true, email: output });
  });

  it.each([
    ["", "is empty"],
    ["plainaddress", "needs one @"],
    ["@example.com", "needs one @"],
    ["a@", "needs one @"],
    ["a b@example.com", "spaces"],
    ["a..b@example.com", "before the @"],
    [".a@example.com", "before the @"],
    ['"john doe"@example.com', "spaces"],
    ["a@localhost", "invalid domain"],
    ["a@example..com", "invalid domain"],
    ["a@-example.com", "invalid domain"],
    ["a@example.c0m", "invalid domain"],
    ["a@exa_mple.com", "invalid domain"],
    ["a@example.com/path", "invalid domain"],
    ["a@[127.0.0.1]", "invalid domain"],
    [`${"a".repeat(65)}@example.com`, "longer than 64"],
    [`a@${"b".repeat(250)}.com`, "invalid domain"],
  ])("refuses %j", (input, reason) => {
    const result = normalizeEmail(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe("mapHeader", () => {
  it("recognises common column names and turns the rest into attribute keys", () => {
    const result = mapHeader([
      "E-mail Address",
      "Full Name",
      "Language",
      "Timezone",
      "Plan",
      "First Name",
      "first-name",
      "Città",
      "",
    ]);
    expect(result).toEqual({
      ok: true,
      mapping: {
        header: [
          "E-mail Address",
          "Full Name",
          "Language",
          "Timezone",
          "Plan",
          "First Name",
          "first-name",
          "Città",
          "",
        ],
        email: 0,
        name: 1,
        locale: 2,
        timeZone: 3,
        attributes: [
          { column: 4, key: "plan" },
          { column: 5, key: "first_name" },
          { column: 6, key: "first_name_2" },
          { column: 7, key: "citta" },
          { column: 8, key: "column_9" },
        ],
      },
    });
  });

  it("takes overrides and refuses a file without exactly one email column", () => {
    const result = mapHeader(["Work mail", "Home mail"], { "work mail": "email", "Home mail": "ignore" });
    expect(result).toMatchObject({ ok: true, mapping: { email: 0, attributes: [] } });
    expect(mapHeader(["name", "plan"])).toEqual({
      ok: false,
      message: expect.stringContaining("no email column"),
    });
    expect(mapHeader(["email", "e-mail"])).toEqual({ ok: false, message: "more than one email column" });
  });
});

const FILE = [
  "\ufeffemail,name,locale,time_zone,plan,notes",
  "ada@example.com,Ada,en_GB,Europe/London,pro,",
  'BOB@Example.com,"Bob, Jr.",fr,America/New_York,free,"line one',
  'line two with ""quotes"""',
  "",
  "not-an-email,Nobody,,,,",
  "carol@example.com,Carol,xx-invalid-locale-tag-!,Mars/Olympus,pro,",
  "ada@example.com,Ada Again,,,team,",
  "dan@example.com,Dan,,,,,extra",
  "erin@example.com,Érin 🎈,de-DE,,,,",
].join("\r\n");

describe("parseContactsCsv", () => {
  it("reads contacts, per-row errors and duplicates (last wins)", () => {
    const parsed = parseContactsCsv(FILE);
    if (!parsed.ok) throw new Error(parsed.message);
    const { contacts, errors, rows, duplicates } = parsed.result;
    expect(rows).toBe(8);
    expect(duplicates).toBe(1);
    expect(contacts).toEqual<ImportedContact[]>([
      {
        row: 3,
        email: "bob@example.com",
        name: "Bob, Jr.",
        locale: "fr",
        timeZone: "America/New_York",
        attributes: { plan: "free", notes: 'line one\r\nline two with "quotes"' },
      },
      { row: 7, email: "ada@example.com", name: "Ada Again", attributes: { plan: "team" } },
      { row: 9, email: "erin@example.com", name: "Érin 🎈", locale: "de-DE", attributes: {} },
    ]);
    expect(errors).toEqual([
      { row: 5, field: "email", message: "email needs one @ between a name and a domain" },
      { row: 6, field: "locale", message: 'locale "xx-invalid-locale-tag-!" is not a BCP 47 tag' },
      { row: 6, field: "time_zone", message: 'time zone "Mars/Olympus" is not an IANA name' },
      { row: 8, field: "row", message: "has 7 fields, the header has 6" },
    ]);
  });

  it("detects the delimiter and reports files without a header or email column", () => {
    const parsed = parseContactsCsv("email;name\na@example.com;A\nb@example.com;B\n");
    expect(parsed.ok && parsed.result.contacts.map((c) => c.name)).toEqual(["A", "B"]);
    expect(parseContactsCsv("")).toEqual({ ok: false, message: "the file is empty" });
    expect(parseContactsCsv("name\nA\n")).toMatchObject({ ok: false });
  });

  it("reports an unterminated quote as a row error", () => {
    const parsed = parseContactsCsv('email,name\na@example.com,A\nb@example.com,"B\n');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.result.contacts.map((c) => c.email)).toEqual(["a@example.com"]);
    expect(parsed.result.errors).toEqual([
      { row: 3, field: "row", message: expect.stringMatching(/quote/i) },
    ]);
  });
});

describe("parseContactsChunk", () => {
  it("resumes from a stored cursor and reads the same contacts as one pass", () => {
    const head = readCsvHeader(FILE);
    if (!head.ok) throw new Error(head.message);
    const whole = parseContactsChunk(FILE, head.mapping, head.cursor, 1000);
    const seen: ImportedContact[] = [];
    const cursors: CsvCursor[] = [];
    let cursor = head.cursor;
    for (let guard = 0; guard < 20; guard++) {
      const chunk = parseContactsChunk(FILE, head.mapping, cursor, 2);
      seen.push(...chunk.contacts);
      cursor = chunk.cursor;
      cursors.push(cursor);
      if (chunk.done) break;
    }
    expect(cursors.map((c) => c.row)).toEqual([3, 5, 7, 9]);
    expect(seen.map((c) => c.row)).toEqual([2, 3, 7, 9]);
    expect(whole.contacts.map((c) => c.row)).toEqual([3, 7, 9]);
    // Resuming from the row count alone lands on the same cursor.
    expect(cursorAtRow(FILE, head.cursor, 5)).toEqual(cursors[1]);
    expect(
      parseContactsChunk(FILE, head.mapping, cursorAtRow(FILE, head.cursor, 5), 2).contacts.map((c) => c.row),
    ).toEqual([7]);
  });

  it("counts duplicates inside a chunk and refuses a non-positive limit", () => {
    const text = "email\na@example.com\nA@EXAMPLE.COM\nb@example.com\n";
    const head = readCsvHeader(text);
    if (!head.ok) throw new Error(head.message);
    const chunk = parseContactsChunk(text, head.mapping, head.cursor, 10);
    expect(chunk).toMatchObject({ duplicates: 1, rows: 4, done: true });
    expect(chunk.contacts.map((c) => [c.row, c.email])).toEqual([
      [3, "a@example.com"],
      [4, "b@example.com"],
    ]);
    expect(() => parseContactsChunk(text, head.mapping, head.cursor, 0)).toThrow(RangeError);
  });
});

describe("a 100,000-row file", () => {
  // A generous timeout: the machine is shared, and only the printed time matters here.
  it("parses in chunks of 1,000 with the time printed", () => {
    const lines = ["email,name,locale,time_zone,plan,city,signed_up"];
    const zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];
    // What the parser should find, worked out independently: every 997th row is invalid and every
    // 1,000th repeats an address from 500 rows before (inside the same chunk of 1,000).
    const lastRow = new Map<string, number>();
    let invalid = 0;
    for (let i = 0; i < 100_000; i++) {
      const email =
        i % 997 === 0
          ? `broken-${i}`
          : i % 1000 === 999
            ? `user${i - 500}@example.com`
            : `User${i}@Example.com`;
      if (i % 997 === 0) invalid++;
      else lastRow.set(email.toLowerCase(), i);
      lines.push(
        `${email},"Name ${i}",en-GB,${zones[i % 4]},${i % 3 ? "free" : "pro"},City ${i % 50},2026-0${(i % 9) + 1}-01`,
      );
    }
    const valid = 100_000 - invalid;
    const text = lines.join("\n");
    const started = performance.now();
    const head = readCsvHeader(text);
    if (!head.ok) throw new Error(head.message);
    let cursor = head.cursor;
    let contacts = 0;
    let errors = 0;
    let chunks = 0;
    for (;;) {
      const chunk = parseContactsChunk(text, head.mapping, cursor, 1000);
      contacts += chunk.contacts.length;
      errors += chunk.errors.length;
      chunks++;
      cursor = chunk.cursor;
      if (chunk.done) break;
    }
    const chunkedMs = performance.now() - started;
    const wholeStarted = performance.now();
    const whole = parseContactsCsv(text);
    const wholeMs = performance.now() - wholeStarted;
    if (!whole.ok) throw new Error(whole.message);
    console.log(
      `csv import: 100,000 rows (${(text.length / 1e6).toFixed(1)} MB) in ${chunks} chunks of 1,000: ${chunkedMs.toFixed(0)} ms; ` +
        `whole file with cross-chunk dedupe: ${wholeMs.toFixed(0)} ms`,
    );
    expect(chunks).toBe(100);
    expect(cursor.row).toBe(100_001);
    expect(errors).toBe(invalid);
    // Each chunk holds both copies of its repeated addresses, so chunks already remove them all.
    expect(contacts).toBe(lastRow.size);
    expect(whole.result.rows).toBe(100_000);
    expect(whole.result.errors).toHaveLength(invalid);
    expect(whole.result.duplicates).toBe(valid - lastRow.size);
    expect(whole.result.contacts).toHaveLength(lastRow.size);
    expect(whole.result.contacts.map((c) => c.row - 2)).toEqual([...lastRow.values()].sort((a, b) => a - b));
  }, 60_000);
});
