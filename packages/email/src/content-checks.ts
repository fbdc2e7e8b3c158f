import type { ContentIssue, IssueField } from "./issues";
import { findLinks } from "./links";

/** Subject: inboxes on phones show about 40–60 characters; longer is a warning, absurd is an error. */
export const SUBJECT_RECOMMENDED_MAX = 60;
export const SUBJECT_MAX = 150;
/** Preheader: clients show 40–130 characters after the subject. */
export const PREHEADER_RECOMMENDED_MAX = 130;
export const PREHEADER_MAX = 255;

/**
 * Phrases that spam filters and recipients associate with junk mail. Curated from the lists
 * deliverability guides publish; matched case-insensitively on word boundaries, so "free" alone
 * is fine and "100% free" is not. Each hit is a warning: context decides.
 */
export const SPAM_PHRASES: readonly string[] = [
  "100% free",
  "100% guaranteed",
  "100% satisfied",
  "act now",
  "additional income",
  "all natural",
  "apply now",
  "as seen on",
  "being a member",
  "best price",
  "big bucks",
  "buy direct",
  "call now",
  "cash bonus",
  "cheap meds",
  "click below",
  "click here",
  "congratulations you",
  "dear friend",
  "double your",
  "earn extra cash",
  "earn money",
  "eliminate debt",
  "extra income",
  "fast cash",
  "financial freedom",
  "free gift",
  "free money",
  "get out of debt",
  "get paid",
  "giveaway",
  "guaranteed income",
  "increase sales",
  "lose weight",
  "lowest price",
  "make money",
  "million dollars",
  "miracle",
  "no catch",
  "no cost",
  "no credit check",
  "no strings attached",
  "once in a lifetime",
  "order now",
  "risk-free",
  "risk free",
  "save big money",
  "this is not spam",
  "urgent",
  "viagra",
  "winner",
  "work from home",
  "you have been selected",
  "you're a winner",
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// "Word-bounded" in any script: a phrase may not touch a letter or digit on either side, so
// "winner" does not match "winners" and "urgent" does not match "insurgent".
const SPAM_RE = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${SPAM_PHRASES.map((phrase) => escapeRegExp(phrase).replaceAll(" ", "\\s+")).join("|")})(?![\\p{L}\\p{N}])`,
  "giu",
);

/** The spam-trigger phrases found in a text, lowercased, distinct, in order of first appearance. */
export function findSpamPhrases(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(SPAM_RE)) found.add(match[0].toLowerCase().replace(/\s+/g, " "));
  return [...found];
}

const UNRESOLVED = /\{\{\{?[^{}]*\}\}\}?/g;
const SAFE_SCHEMES = new Set(["https:", "http:", "mailto:", "tel:"]);

/** Copy to check: rendered parts (or raw AI output). Any part may be absent. */
export interface EmailContent {
  subject?: string;
  preheader?: string;
  html?: string;
  text?: string;
}

function length(text: string): number {
  // Code points, not UTF-16 units: an emoji is one character to a reader.
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function stripTags(html: string): string {
  return html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ").replace(/<[^>]*>/g, " ");
}

/** Checks of length, spam phrases, unresolved `{{…}}` and links; every finding as a structured issue. */
export function checkContent(content: EmailContent): ContentIssue[] {
  const issues: ContentIssue[] = [];
  const add = (field: IssueField, code: string, message: string, severity: "error" | "warning") =>
    issues.push({ field, code, message, severity });

  if (content.subject !== undefined) {
    const n = length(content.subject.trim());
    if (n === 0) add("subject", "required", "subject: must not be empty", "error");
    else if (n > SUBJECT_MAX)
      add("subject", "too_long", `subject: ${n} characters, at most ${SUBJECT_MAX}`, "error");
    else if (n > SUBJECT_RECOMMENDED_MAX) {
      add(
        "subject",
        "long",
        `subject: ${n} characters; phones show about ${SUBJECT_RECOMMENDED_MAX}`,
        "warning",
      );
    }
    const letters = content.subject.replace(/[^\p{L}]/gu, "");
    if (letters.length >= 8 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()) {
      add("subject", "all_caps", "subject: written in capitals", "warning");
    }
    if (/[!?]{3,}/.test(content.subject))
      add("subject", "excessive_punctuation", "subject: repeated ! or ?", "warning");
  }
  if (content.preheader !== undefined) {
    const n = length(content.preheader.trim());
    if (n > PREHEADER_MAX)
      add("preheader", "too_long", `preheader: ${n} characters, at most ${PREHEADER_MAX}`, "error");
    else if (n > PREHEADER_RECOMMENDED_MAX) {
      add(
        "preheader",
        "long",
        `preheader: ${n} characters; clients show about ${PREHEADER_RECOMMENDED_MAX}`,
        "warning",
      );
    }
  }

  const parts: [IssueField, string | undefined][] = [
    ["subject", content.subject],
    ["preheader", content.preheader],
    ["html", content.html === undefined ? undefined : stripTags(content.html)],
    ["text", content.text],
  ];
  for (const [field, text] of parts) {
    if (text === undefined) continue;
    for (const phrase of findSpamPhrases(text)) {
      add(field, "spam_phrase", `${field}: "${phrase}" reads as spam to filters and readers`, "warning");
    }
  }
  for (const [field, text] of [
    ["subject", content.subject],
    ["preheader", content.preheader],
    ["html", content.html],
    ["text", content.text],
  ] as const) {
    if (text === undefined) continue;
    const unresolved = new Set(Array.from(text.matchAll(UNRESOLVED), (m) => m[0]));
    for (const tag of unresolved)
      add(field, "unresolved_variable", `${field}: ${tag} was not filled in`, "error");
  }
  if (content.html !== undefined) issues.push(...checkLinks(content.html));
  return issues;
}

/** Link findings for an HTML part: empty, malformed, unsafe schemes (javascript:, data:), plain http. */
export function checkLinks(html: string): ContentIssue[] {
  const issues: ContentIssue[] = [];
  for (const link of findLinks(html)) {
    const href = link.href;
    const shown = href.length > 80 ? `${href.slice(0, 77)}...` : href;
    if (href === "" || href === "#") {
      issues.push({
        field: "html",
        code: "empty_link",
        message: "html: a link has an empty href",
        severity: "error",
      });
      continue;
    }
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      issues.push({
        field: "html",
        code: "malformed_link",
        message: `html: "${shown}" is not an absolute URL`,
        severity: "error",
      });
      continue;
    }
    // WHATWG URL parsing drops tabs and newlines and lowercases the scheme, so
    // "Java\tScript:" is caught here as it would be by a mail client.
    if (!SAFE_SCHEMES.has(url.protocol)) {
      issues.push({
        field: "html",
        code: "unsafe_link",
        message: `html: ${url.protocol} links are not allowed (${shown})`,
        severity: "error",
      });
    } else if (url.protocol === "http:") {
      issues.push({
        field: "html",
        code: "insecure_link",
        message: `html: "${shown}" uses http, not https`,
        severity: "warning",
      });
    } else if ((url.protocol === "https:" || url.protocol === "http:") && !url.hostname.includes(".")) {
      issues.push({
        field: "html",
        code: "malformed_link",
        message: `html: "${shown}" has no public host name`,
        severity: "error",
      });
    }
  }
  return issues;
}
