// Publish times: reading a note's date in the site's time zone, and finding the next publish slot.
import { Temporal } from 'temporal-polyfill';
import { weekdays } from './schema.js';

const withOffset = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;
const localDateTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/;
const localDate = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date with an offset is taken as written; a local date/time is read in the site's time zone, and a
 * bare date means that day's publish slot. Returns undefined when the text is not a date.
 */
export function parsePublishDate(value: string | Date, timeZone: string, slotTime: string): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  try {
    if (withOffset.test(value)) {
      const date = new Date(value.replace(' ', 'T'));
      return Number.isNaN(date.getTime()) ? undefined : date;
    }
    if (localDateTime.test(value) || localDate.test(value)) {
      const local = localDate.test(value) ? `${value}T${slotTime}` : value.replace(' ', 'T');
      const zoned = Temporal.PlainDateTime.from(local, { overflow: 'reject' }).toZonedDateTime(timeZone);
      return new Date(zoned.epochMilliseconds);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The first publish slot (weekday + HH:MM in the site's zone) strictly after `now`. */
export function nextPublishSlot(now: Date, timeZone: string, day: (typeof weekdays)[number], time: string) {
  const here = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(timeZone);
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const wanted = weekdays.indexOf(day) + 1;
  let slot = here.with({ hour, minute, second: 0, millisecond: 0, microsecond: 0, nanosecond: 0 });
  slot = slot.add({ days: (wanted - slot.dayOfWeek + 7) % 7 });
  if (Temporal.ZonedDateTime.compare(slot, here) <= 0) slot = slot.add({ days: 7 });
  return slot;
}

/** ISO 8601 with the zone's offset, as a writer would type it: 2026-11-27T09:00:00+00:00. */
export function formatWithOffset(slot: Temporal.ZonedDateTime): string {
  return slot.toString({ timeZoneName: 'never', smallestUnit: 'second' });
}
