import type { EmailCopyInput, EmailCopyWriter } from "./types";
import { assertEmailCopyInput } from "./types";

const SUBJECT_ROOM = 60;

/** The first sentence of a text, on one line, cut at a word boundary to `max` code points. */
function firstSentence(text: string, max: number): string {
  const line = text.replace(/\s+/gu, " ").trim();
  const sentence = (line.split(/(?<=[.!?\u2026])\s/u)[0] ?? line).replace(/[\s.]+$/u, "");
  const chars = [...sentence];
  if (chars.length <= max) return sentence;
  const head = chars.slice(0, max - 1).join("");
  const space = head.lastIndexOf(" ");
  return `${(space > max / 2 ? head.slice(0, space) : head).replace(/[\s,;:]+$/u, "")}…`;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The base line: the tenant's first example when given (their own words), else the brief's first sentence. */
function baseLine(input: EmailCopyInput, max: number): string {
  const example = input.examples?.find((e) => e.trim() !== "");
  return firstSentence(example ?? input.brief, max);
}

function subjects(input: EmailCopyInput): string[] {
  const b = baseLine(input, SUBJECT_ROOM - 14);
  const bare = b.replace(/[!?]+$/u, "");
  const out = [b, `Good news: ${bare}`, `Quick question: ready for ${lower(bare)}?`];
  if (input.variables.includes("name")) out.push(`{{name}}, ${lower(b)}`);
  out.push(`Just for you: ${bare}`, `Don't miss it: ${bare}`, `Heads up: ${bare}`);
  return out;
}

function preheaders(input: EmailCopyInput): string[] {
  const b = baseLine(input, 100);
  const bare = b.replace(/[.!?]+$/u, "");
  const out = [`${bare}. Open to see what's inside.`, `A quick note: ${lower(bare)}.`];
  if (input.variables.includes("name")) out.push(`{{name}}, here's what's new: ${lower(bare)}.`);
  out.push(`${bare}, in two minutes of reading.`, `Everything you need to know: ${lower(bare)}.`);
  return out;
}

function bodies(input: EmailCopyInput): string[] {
  const hasName = input.variables.includes("name");
  const paragraphs = input.brief
    .split(/\n\s*\n/u)
    .map((p) => p.replace(/\s+/gu, " ").trim())
    .filter((p) => p !== "")
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join("\n");
  const example = input.examples?.find((e) => e.trim() !== "");
  const quote = example ? `\n<p>${escapeHtml(firstSentence(example, 200))}</p>` : "";
  const footer = input.variables.includes("unsubscribe_url")
    ? '\n<p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>'
    : "";
  const openings = [
    hasName ? "<p>Hi {{name}},</p>" : "<p>Hi there,</p>",
    hasName ? "<p>Hello {{name}},</p>" : "<p>Hello,</p>",
    "<p>We have some news for you.</p>",
    hasName ? "<p>{{name}}, a quick update.</p>" : "<p>A quick update.</p>",
    "<p>Thanks for being with us.</p>",
  ];
  const closings = [
    "<p>Thanks for reading.</p>",
    "<p>See you soon.</p>",
    "<p>Reply to this email if you have questions.</p>",
    "<p>All the best.</p>",
    "<p>Talk soon.</p>",
  ];
  return openings.map((open, i) => `${open}\n${paragraphs}${i === 1 ? quote : ""}\n${closings[i]}${footer}`);
}

function lower(text: string): string {
  // "Spring sale" → "spring sale", but keep acronyms and names that are capitals throughout ("API").
  const [first = "", second = ""] = [...text];
  return first === first.toUpperCase() && second === second.toUpperCase()
    ? text
    : first.toLowerCase() + text.slice(first.length);
}

/**
 * Deterministic rewrites of the brief or the first example: the default writer, needing no
 * network, key or quota. It writes what it is given: a spam phrase or an unknown {{variable}} in
 * an example reaches the variants, and the caller's checks mark those unusable.
 */
export function createOfflineEmailCopyWriter(): EmailCopyWriter {
  return {
    name: "offline",
    async write(input) {
      assertEmailCopyInput(input);
      const pool =
        input.what === "subject"
          ? subjects(input)
          : input.what === "preheader"
            ? preheaders(input)
            : bodies(input);
      const seen = new Set<string>();
      const variants: string[] = [];
      for (const text of pool) {
        const key = text.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        variants.push(text);
        if (variants.length >= input.count) break;
      }
      return { variants, provider: "offline", fallbackReason: null };
    },
  };
}
