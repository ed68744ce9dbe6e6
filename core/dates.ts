const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** China has one time zone, UTC+8, with no daylight saving: a license's dates are read there. */
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar date ('YYYY-MM-DD') in China at `instant`. */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Seconds since the epoch at 00:00 China Standard Time of `date` (+ `plusDays`). */
export function chinaDayStart(date: string, plusDays = 0): number {
  const [year, month, day] = parts(date);
  return (Date.UTC(year, month - 1, day + plusDays) - CST_OFFSET_MS) / 1000;
}

/** A real calendar date written 'YYYY-MM-DD' (so 2023-02-29 is refused). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function parts(date: string): [number, number, number] {
  if (!isIsoDate(date)) throw new RangeError(`not a date written YYYY-MM-DD: ${JSON.stringify(date)}`);
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function format(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The same month and day `years` later. A 29 February start lands on 28 February in a common
 * year: the last day of the same month, so a term never runs into March.
 */
export function addYears(date: string, years: number): string {
  const [year, month, day] = parts(date);
  const target = year + years;
  const lastDay = new Date(Date.UTC(target, month, 0)).getUTCDate();
  return format(target, month, Math.min(day, lastDay));
}

export function addDays(date: string, days: number): string {
  const [year, month, day] = parts(date);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/**
 * Completed years of age (周岁) on a date: the count goes up on the birthday itself, and someone
 * born on 29 February goes up on 1 March in a common year.
 */
export function fullYearsOn(birthDate: string, on: string): number {
  const [birthYear] = parts(birthDate);
  const [onYear] = parts(on);
  return onYear - birthYear - (on.slice(5) < birthDate.slice(5) ? 1 : 0);
}
