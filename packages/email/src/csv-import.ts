import Papa from "papaparse";
import { type ColumnTarget, type HeaderMapping, mapHeader } from "./csv-header";
import { normalizeEmail } from "./email-address";

// Papa's fast mode (taken when the input has no quotes) reports a cursor one record too far when
// `preview` stops it; the full parser's cursor is exact, and resuming depends on it.
const PARSE = { fastMode: false } as const;

/** Resume point of a chunked import: records consumed (header included) and the character offset after them. */
export interface CsvCursor {
  row: number;
  offset: number;
  /** Detected once from the start of the file, so every chunk splits fields the same way. */
  delimiter: string;
}

/** A contact read from the file. `row` is the 1-based record number, the header being row 1. */
export interface ImportedContact {
  row: number;
  email: string;
  name?: string;
  locale?: string;
  timeZone?: string;
  attributes: Record<string, string>;
}

/** Why a row was not imported. */
export interface RowError {
  row: number;
  field: string;
  message: string;
}

const localeCache = new Map<string, string | null>();
const zoneCache = new Map<string, string | null>();

function canonicalLocale(text: string): string | null {
  let out = localeCache.get(text);
  if (out === undefined) {
    try {
      out = Intl.getCanonicalLocales(text.replace(/_/g, "-"))[0] ?? null;
    } catch {
      out = null;
    }
    if (localeCache.size < 10_000) localeCache.set(text, out);
  }
  return out;
}

function canonicalTimeZone(text: string): string | null {
  let out = zoneCache.get(text);
  if (out === undefined) {
    try {
      out = new Intl.DateTimeFormat("en", { timeZone: text }).resolvedOptions().timeZone;
    } catch {
      out = null;
    }
    if (zoneCache.size < 10_000) zoneCache.set(text, out);
  }
  return out;
}

/** Turns one record into a contact, or the reasons it cannot be one. */
export function contactFromRecord(
  record: string[],
  row: number,
  mapping: HeaderMapping,
): { contact: ImportedContact } | { errors: RowError[] } {
  const errors: RowError[] = [];
  const cell = (index: number | undefined) => (index === undefined ? "" : (record[index] ?? "").trim());
  const width = mapping.header.length;
  if (record.length > width && record.slice(width).some((value) => value.trim() !== "")) {
    errors.push({ row, field: "row", message: `has ${record.length} fields, the header has ${width}` });
  }
  const email = normalizeEmail(cell(mapping.email));
  if (!email.ok) errors.push({ row, field: "email", message: `email ${email.reason}` });
  const contact: ImportedContact = { row, email: email.ok ? email.email : "", attributes: {} };
  const name = cell(mapping.name);
  if (name) contact.name = name.slice(0, 200);
  const locale = cell(mapping.locale);
  if (locale) {
    const canonical = canonicalLocale(locale);
    if (canonical) contact.locale = canonical;
    else
      errors.push({ row, field: "locale", message: `locale "${locale.slice(0, 40)}" is not a BCP 47 tag` });
  }
  const zone = cell(mapping.timeZone);
  if (zone) {
    const canonical = canonicalTimeZone(zone);
    if (canonical) contact.timeZone = canonical;
    else
      errors.push({
        row,
        field: "time_zone",
        message: `time zone "${zone.slice(0, 40)}" is not an IANA name`,
      });
  }
  for (const { column, key } of mapping.attributes) {
    const value = cell(column);
    if (value !== "") contact.attributes[key] = value;
  }
  return errors.length > 0 ? { errors } : { contact };
}

function isBlank(record: string[]): boolean {
  return record.every((value) => value.trim() === "");
}

/** Reads the header row: the mapping and the cursor of the first data row. */
export function readCsvHeader(
  text: string,
  columns?: Record<string, ColumnTarget>,
): { ok: true; mapping: HeaderMapping; cursor: CsvCursor } | { ok: false; message: string } {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Delimiter detection looks at the first rows only; every chunk is then parsed with the same one.
  // Blank lines are skipped for the guess only: a trailing newline would otherwise lower the average
  // field count below Papa's threshold and fall back to ",".
  const probe = Papa.parse<string[]>(text.slice(start, start + 64 * 1024), {
    preview: 20,
    skipEmptyLines: true,
  });
  const delimiter = probe.meta.delimiter || ",";
  const first = Papa.parse<string[]>(text.slice(start), { ...PARSE, preview: 1, delimiter });
  const header = first.data[0];
  if (!header || isBlank(header)) return { ok: false, message: "the file is empty" };
  const mapped = mapHeader(header, columns);
  if (!mapped.ok) return mapped;
  return {
    ok: true,
    mapping: mapped.mapping,
    cursor: { row: 1, offset: start + first.meta.cursor, delimiter },
  };
}

/** One chunk's contacts (deduplicated within the chunk, last wins), errors and where to resume. */
export interface ContactsChunk {
  contacts: ImportedContact[];
  errors: RowError[];
  /** Rows in this chunk whose email appeared again later in the same chunk. */
  duplicates: number;
  /** Records read (blank lines included). */
  rows: number;
  cursor: CsvCursor;
  done: boolean;
}

/**
 * Parses up to `limit` records from `cursor` (from `readCsvHeader`, or a previous chunk's). A
 * queue job stores the returned cursor and resumes there: each chunk costs only its own rows.
 */
export function parseContactsChunk(
  text: string,
  mapping: HeaderMapping,
  cursor: CsvCursor,
  limit: number,
): ContactsChunk {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit: a positive integer");
  const parsed = Papa.parse<string[]>(text.slice(cursor.offset), {
    ...PARSE,
    preview: limit,
    delimiter: cursor.delimiter,
  });
  const errors: RowError[] = [];
  const byEmail = new Map<string, ImportedContact>();
  let duplicates = 0;
  const badRows = new Map<number, string>();
  // Papa reports a row index within this parse; an unterminated quote swallows the rest of the file.
  for (const error of parsed.errors) {
    if (error.row !== undefined && error.row !== null) badRows.set(error.row, error.message);
  }
  parsed.data.forEach((record, index) => {
    const row = cursor.row + index + 1;
    const parseError = badRows.get(index);
    if (parseError) {
      errors.push({ row, field: "row", message: parseError });
      return;
    }
    if (isBlank(record)) return;
    const result = contactFromRecord(record, row, mapping);
    if ("errors" in result) {
      errors.push(...result.errors);
      return;
    }
    if (byEmail.delete(result.contact.email)) duplicates++;
    byEmail.set(result.contact.email, result.contact);
  });
  const offset = cursor.offset + parsed.meta.cursor;
  const done = offset >= text.length || text.slice(offset).trim() === "";
  return {
    contacts: [...byEmail.values()].sort((a, b) => a.row - b.row),
    errors,
    duplicates,
    rows: parsed.data.length,
    cursor: { row: cursor.row + parsed.data.length, offset, delimiter: cursor.delimiter },
    done,
  };
}

/**
 * The cursor for "resume at record `row`" when only the row count was kept: re-reads the file up
 * to there (linear in `row`; prefer the stored cursor).
 */
export function cursorAtRow(text: string, start: CsvCursor, row: number): CsvCursor {
  if (row <= start.row) return start;
  const skipped = Papa.parse<string[]>(text.slice(start.offset), {
    ...PARSE,
    preview: row - start.row,
    delimiter: start.delimiter,
  });
  return {
    row: start.row + skipped.data.length,
    offset: start.offset + skipped.meta.cursor,
    delimiter: start.delimiter,
  };
}

/** A whole file at once: distinct contacts (last occurrence wins), errors and counts. */
export interface ContactsImport {
  mapping: HeaderMapping;
  contacts: ImportedContact[];
  errors: RowError[];
  rows: number;
  duplicates: number;
}

/** Parses a whole file in chunks of `chunkSize`, deduplicating across chunks. */
export function parseContactsCsv(
  text: string,
  options: { columns?: Record<string, ColumnTarget>; chunkSize?: number } = {},
): { ok: true; result: ContactsImport } | { ok: false; message: string } {
  const head = readCsvHeader(text, options.columns);
  if (!head.ok) return head;
  const byEmail = new Map<string, ImportedContact>();
  const errors: RowError[] = [];
  let duplicates = 0;
  let rows = 0;
  let cursor = head.cursor;
  for (;;) {
    const chunk = parseContactsChunk(text, head.mapping, cursor, options.chunkSize ?? 5_000);
    errors.push(...chunk.errors);
    duplicates += chunk.duplicates;
    rows += chunk.rows;
    for (const contact of chunk.contacts) {
      if (byEmail.delete(contact.email)) duplicates++;
      byEmail.set(contact.email, contact);
    }
    cursor = chunk.cursor;
    if (chunk.done || chunk.rows === 0) break;
  }
  return {
    ok: true,
    result: {
      mapping: head.mapping,
      contacts: [...byEmail.values()].sort((a, b) => a.row - b.row),
      errors,
      rows,
      duplicates,
    },
  };
}
