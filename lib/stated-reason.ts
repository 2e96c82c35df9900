import { z } from "zod";

/*
 * Every "reason" a person types to justify an action (revealing personal data,
 * an unmasked export, erasing a patient) is kept in the audit log, so it has to
 * say something a reader can follow up: "aaaaaaaaaa" or "..........." says nothing.
 */

/** A word: a run of at least two letters or digits. */
const WORD = /[\p{L}\p{N}]{2,}/gu;
const HAS_TWO_LETTERS = /\p{L}.*\p{L}/u;

/**
 * True when `text` names something: at least two words, at least one of them
 * of letters (so a ticket reference like "DSR-2027-014" or "ticket 8812"
 * passes), and more than one character repeated.
 */
export function namesSomething(text: string): boolean {
  const words = text.match(WORD) ?? [];
  if (words.length < 2 || !words.some((word) => HAS_TWO_LETTERS.test(word))) return false;
  const characters = new Set(words.join("").toLowerCase());
  return characters.size > 1;
}

export const STATED_REASON_MESSAGE = "Name the reason in words, e.g. the ticket or request it answers.";

/** The one validator for a stated reason: trimmed, `minChars`..`maxChars` long, and naming something. */
export function statedReasonSchema({ minChars, maxChars, tooShort }: { minChars: number; maxChars: number; tooShort: string }) {
  return z
    .string()
    .trim()
    .min(minChars, tooShort)
    .max(maxChars, `At most ${maxChars} characters.`)
    .refine(namesSomething, STATED_REASON_MESSAGE);
}
