// When a customer will want something again (decision 013): repurchase cycles ("you usually
// reorder every 30 days") and anniversaries ("bought every May"). Pure: one customer's dated
// purchases in, per key (a product, or a product type - the caller's `keyOf`) out.
import { median } from "../maths/median";
import { zoneParts } from "../time/zone";
import type { Purchase } from "./model";

const DAY_MS = 86_400_000;

/** Purchases of a key on at least this many different days make a cycle (two gaps). */
export const MIN_CYCLE_PURCHASES = 3;
/** A cycle is due from this many days before its date (until one more cycle has passed: then the habit is probably gone, and reminding is spam). */
export const DUE_BEFORE_DAYS = 7;

export interface Cycle {
  key: string;
  /** Purchases on different days. */
  purchases: number;
  /** Median days between them. */
  everyDays: number;
  lastAt: Date;
  dueAt: Date;
}

export interface Anniversary {
  key: string;
  /** 0-11, in the shop's time zone as given by `monthOf`. */
  month: number;
  /** The distinct years with a purchase of the key in that month, ascending. */
  years: number[];
}

/** Per key: the days (UTC) it was bought, ascending without repeats, and the time of its latest purchase. */
function daysByKey(purchases: readonly Purchase[], keyOf: (item: string) => string | null): Map<string, { days: number[]; lastAt: number }> {
  const found = new Map<string, { days: Set<number>; lastAt: number }>();
  for (const purchase of purchases) {
    if (!purchase.at) continue;
    const time = purchase.at.getTime();
    const day = Math.floor(time / DAY_MS);
    for (const item of purchase.items) {
      const key = keyOf(item);
      if (key === null) continue;
      const entry = found.get(key);
      if (!entry) found.set(key, { days: new Set([day]), lastAt: time });
      else {
        entry.days.add(day);
        entry.lastAt = Math.max(entry.lastAt, time);
      }
    }
  }
  return new Map([...found].map(([key, entry]) => [key, { days: [...entry.days].sort((a, b) => a - b), lastAt: entry.lastAt }]));
}

/** Each key bought on MIN_CYCLE_PURCHASES or more days, with its median gap and the date it is due next. */
export function repurchaseCycles(purchases: readonly Purchase[], keyOf: (item: string) => string | null = (item) => item): Cycle[] {
  const cycles: Cycle[] = [];
  for (const [key, { days, lastAt }] of daysByKey(purchases, keyOf)) {
    if (days.length < MIN_CYCLE_PURCHASES) continue;
    const everyDays = Math.round(median(days.slice(1).map((day, index) => day - days[index]!)));
    cycles.push({ key, purchases: days.length, everyDays, lastAt: new Date(lastAt), dueAt: new Date(lastAt + everyDays * DAY_MS) });
  }
  return cycles.sort((left, right) => left.dueAt.getTime() - right.dueAt.getTime() || (left.key < right.key ? -1 : 1));
}

/** Whether a cycle is due at `now`: from DUE_BEFORE_DAYS before its date until one more cycle has passed. */
export function isDue(cycle: Cycle, now: Date): boolean {
  const time = now.getTime();
  return time >= cycle.dueAt.getTime() - DUE_BEFORE_DAYS * DAY_MS && time <= cycle.dueAt.getTime() + cycle.everyDays * DAY_MS;
}

/**
 * Keys bought in the same calendar month in two or more different years. `monthOf` gives a
 * date's year and month (0-11) in the shop's time zone.
 */
export function anniversaries(purchases: readonly Purchase[], monthOf: (at: Date) => { year: number; month: number }, keyOf: (item: string) => string | null = (item) => item): Anniversary[] {
  const years = new Map<string, Set<number>>();
  for (const purchase of purchases) {
    if (!purchase.at) continue;
    const { year, month } = monthOf(purchase.at);
    for (const item of purchase.items) {
      const key = keyOf(item);
      if (key === null) continue;
      const slot = `${month}\u0000${key}`;
      let set = years.get(slot);
      if (!set) years.set(slot, (set = new Set()));
      set.add(year);
    }
  }
  const found: Anniversary[] = [];
  for (const [slot, set] of years) {
    if (set.size < 2) continue;
    const [month, key] = slot.split("\u0000") as [string, string];
    found.push({ key, month: Number(month), years: [...set].sort((a, b) => a - b) });
  }
  return found.sort((left, right) => left.month - right.month || (left.key < right.key ? -1 : 1));
}

/** Whether an anniversary's month is this month or next (time to remind), given now's year and month. */
export function isComing(anniversary: Anniversary, now: { month: number }): boolean {
  return anniversary.month === now.month || anniversary.month === (now.month + 1) % 12;
}

/** Year and month (0-11) of a date in the shop's time zone. */
export function monthIn(timeZone: string) {
  return (at: Date) => {
    // Zones are within 14 hours of UTC: away from a month's first and last day, the UTC month is the zone's
    // (Intl formatting costs microseconds a date, and a long history has hundreds).
    const day = at.getUTCDate();
    if (day > 1 && day < 28) return { year: at.getUTCFullYear(), month: at.getUTCMonth() };
    const { year, month } = zoneParts(at, timeZone);
    return { year, month };
  };
}
