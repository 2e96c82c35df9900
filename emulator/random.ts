import { randomInt } from "node:crypto";

/** A source of numbers in [0, 1), like Math.random. */
export type Random = () => number;

/**
 * mulberry32: a tiny seeded generator. The emulator's choices (which branch an
 * order takes, which fault fires) come from one of these so that a seed
 * reproduces a run; it is not for anything secret.
 */
export function createRandom(seed: number = randomInt(0, 2 ** 31)): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** True with probability `rate` (clamped to [0, 1]). */
export function chance(random: Random, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return random() < rate;
}

/** A uniform integer in [min, max]. */
export function integerBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of a non-empty list. */
export function pick<T>(random: Random, items: readonly [T, ...T[]]): T {
  return items[Math.floor(random() * items.length)] ?? items[0];
}

/** `base` scaled by a uniform factor in [1 − spread, 1 + spread], so timers do not tick in lockstep. */
export function jittered(random: Random, base: number, spread = 0.5): number {
  return Math.max(0, Math.round(base * (1 - spread + 2 * spread * random())));
}
