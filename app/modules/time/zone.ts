// Wall-clock parts of an instant in an IANA time zone, and the zone's offset: the one place the app
// asks Intl (tier windows, analytics months, "bought every May"). Formatters are kept per zone.

const formats = new Map<string, Intl.DateTimeFormat>();

/** Year, month (0-11), day, hour, minute and second of `at` on the zone's wall clock. */
export function zoneParts(at: Date, timeZone: string) {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  return { year: Number(parts.year), month: Number(parts.month) - 1, day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) };
}

/** How far the zone's wall clock is ahead of UTC at `at` (ms). */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const p = zoneParts(at, timeZone);
  const wall = Date.UTC(p.year, p.month, p.day, p.hour, p.minute, p.second);
  return wall - (at.getTime() - at.getUTCMilliseconds());
}
