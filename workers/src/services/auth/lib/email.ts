/** The one spelling of an address we store and compare: trimmed and lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

// The practical subset every mail provider accepts (the shape zod's email check uses): a
// local part of letters, digits and _ ' + - . without leading, trailing or double dots, and a
// dotted domain with a top-level label of two or more letters.
const EMAIL = /^(?!\.)(?!.*\.\.)[a-z0-9_'+.-]*[a-z0-9_+-]@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/;

/** Addresses are at most 254 characters (RFC 5321's path limit less the brackets). */
export const MAX_EMAIL_LENGTH = 254;

/** True when a normalized address has a deliverable shape. */
export const isEmail = (email: string) => email.length <= MAX_EMAIL_LENGTH && EMAIL.test(email);
