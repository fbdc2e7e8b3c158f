import { type HeaderMapping, parseContactsChunk } from "@pushbunny/email";

const utf8 = new TextEncoder();
// ignoreBOM keeps a byte-order mark in the text, so character offsets convert back to bytes exactly.
const decoder = () => new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** UTF-8 length of a string. */
export const byteLength = (text: string) => utf8.encode(text).length;

/** What `readWindow` hands the parser: whole records only, unless the file ends inside it. */
export interface FileWindow {
  text: string;
  /** True when `text` runs to the end of the file. */
  eof: boolean;
}

/**
 * Reads up to `length` bytes of an uploaded file from `byte` and cuts the text after its last
 * line break (unless it reaches the end of the file): the parser then never sees half a line.
 * A quoted field may still hold a line break; `parseWindow` drops the last record for that case.
 */
export async function readWindow(
  bucket: R2Bucket,
  key: string,
  byte: number,
  length: number,
): Promise<FileWindow | null> {
  const object = await bucket.get(key, { range: { offset: byte, length } });
  if (!object) return null;
  const bytes = new Uint8Array(await object.arrayBuffer());
  const eof = byte + bytes.length >= object.size;
  const text = decoder().decode(bytes);
  if (eof) return { text, eof };
  const cut = text.lastIndexOf("\n");
  return { text: cut === -1 ? "" : text.slice(0, cut + 1), eof };
}

/**
 * One chunk of records from a window, from `at` (a character offset in the window and the
 * absolute row there). When the window does not end the file, the chunk's last record may have
 * been cut inside a quoted field, so a chunk that reaches the window's end gives that record back
 * (the next window reads it again). Null: a single record is larger than the window.
 */
export function parseWindow(
  window: FileWindow,
  at: { row: number; offset: number; delimiter: string },
  mapping: HeaderMapping,
  limit: number,
) {
  let chunk = parseContactsChunk(window.text, mapping, at, limit);
  if (!window.eof && chunk.cursor.offset >= window.text.length) {
    if (chunk.rows <= 1) return null;
    chunk = parseContactsChunk(window.text, mapping, at, chunk.rows - 1);
    return { chunk, done: false, windowEnd: true };
  }
  return { chunk, done: window.eof && chunk.done, windowEnd: false };
}
