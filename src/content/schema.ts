// The shape of site.yml and of a note's front matter, and the one-line messages for each mistake.
import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { parsePublishDate } from './publish-time.js';

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

const slug = z
  .string({ error: required('text') })
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single dashes');
const text = z
  .string({ error: required('text') })
  .trim()
  .min(1, 'must not be empty');

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z
  .string({ error: required('a time zone') })
  .refine(isTimeZone, 'is not an IANA time zone such as Europe/London');

export const weekdays = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;

/** The platform's own targets, in percent, when site.yml names none (see observability/error-budget.ts). */
export const defaultSloTargets = { availability: 99.9, confirmation: 99, delivery: 99 } as const;

/** A percentage below 100: a target of 100 % leaves no error budget to spend. */
const sloTarget = z
  .number({ error: 'must be a percentage such as 99.9' })
  .gt(0, 'must be a percentage above 0')
  .lt(100, 'must be below 100 (a target of 100 leaves no error budget)');

export const siteSchema = z.strictObject({
  title: text,
  tagline: text,
  description: text,
  language: z
    .string({ error: required('a language tag') })
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, 'must be a language tag such as en or en-GB'),
  author: text,
  /** The person who writes the notes, when the publication is one person's: credited as a Person. */
  person: text.optional(),
  timezone: timeZone,
  publish: z.strictObject({
    day: z.enum(weekdays, { error: `must be one of ${weekdays.join(', ')}` }),
    time: z.string({ error: required('HH:MM') }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 24-hour'),
  }),
  hero: z.strictObject({
    headline: z
      .array(text, { error: required('a list of lines') })
      .min(1)
      .max(3),
    text,
    smallPrint: text,
  }),
  premise: z.strictObject({ title: text, text }),
  topicsTitle: text,
  topics: z
    .array(z.strictObject({ slug, name: text, description: text }), { error: required('a list of topics') })
    .min(1, 'needs at least one topic')
    .superRefine((topics, ctx) => {
      const seen = new Set<string>();
      topics.forEach((topic, index) => {
        if (seen.has(topic.slug))
          ctx.addIssue({
            code: 'custom',
            path: [index, 'slug'],
            message: `is "${topic.slug}", already the slug of another topic`,
          });
        seen.add(topic.slug);
      });
    }),
  newsletter: z.strictObject({ title: text, text, smallPrint: text }),
  stats: z
    .array(z.strictObject({ value: z.coerce.string().pipe(text), label: text }), {
      error: required('a list of stats'),
    })
    .max(6, 'has room for at most 6 stats'),
  mail: z.strictObject({ postalAddress: text }),
  /** What the privacy notice (/privacy) names, and how long readers' IP and user agent are kept. */
  privacy: z
    .strictObject({
      contact: z.email({ error: 'must be an email address such as privacy@example.com' }).optional(),
      retentionMonths: z
        .number({ error: 'must be a whole number of months' })
        .int('must be a whole number of months')
        .min(1, 'must be at least 1')
        .max(120, 'must be at most 120')
        .default(12),
    })
    .default({ retentionMonths: 12 }),
  /** The platform's own service level objectives, in percent: the admin and /metrics show their budgets. */
  slo: z
    .strictObject({
      availability: sloTarget.default(defaultSloTargets.availability),
      confirmation: sloTarget.default(defaultSloTargets.confirmation),
      delivery: sloTarget.default(defaultSloTargets.delivery),
    })
    .default(defaultSloTargets),
  /** For `errorbudget export`: the running errorbudget that takes the static site's subscriptions. */
  export: z
    .strictObject({
      subscribeUrl: z.url({
        protocol: /^https?$/,
        error: 'must be an http(s) address such as https://subscribe.example.com',
      }),
    })
    .optional(),
});

export type Site = z.infer<typeof siteSchema>;
export type Topic = Site['topics'][number];

const dateValue = z.union([z.date(), z.string().trim().min(1)], {
  error: required('a date such as 2026-11-20T09:00:00+00:00'),
});

/** What reading front matter needs from site.yml: the topics, and the time zone and slot dates are in. */
export type FrontMatterContext = Pick<Site, 'topics' | 'timezone' | 'publish'>;

export function frontMatterSchema(site: FrontMatterContext) {
  const topicSlugs = site.topics.map((topic) => topic.slug);
  const known = new Set(topicSlugs);
  const dateField = () =>
    dateValue.transform((value, ctx) => {
      const date = parsePublishDate(value, site.timezone, site.publish.time);
      if (date) return date;
      ctx.addIssue({
        code: 'custom',
        message: `"${written(value)}" is not a date such as 2026-11-20T09:00:00+00:00`,
      });
      return z.NEVER;
    });
  return z
    .strictObject({
      title: text.max(200, 'must be at most 200 characters'),
      summary: z
        .string({ error: required('text') })
        .trim()
        .max(600, 'must be at most 600 characters')
        .default(''),
      date: dateField(),
      updated: dateField().optional(),
      topics: z
        .array(z.string({ error: required('a topic slug') }), {
          error: required('a list such as [ai-workloads]'),
        })
        .default([])
        .superRefine((topics, ctx) => {
          topics.forEach((topic, index) => {
            if (!known.has(topic))
              ctx.addIssue({
                code: 'custom',
                path: [index],
                message: unknownTopic(topic, topicSlugs),
                params: { standalone: true },
              });
          });
        }),
      draft: z.boolean({ error: 'must be true or false' }).default(false),
      newsletter: z.boolean({ error: 'must be true or false' }).default(true),
      slug: slug.optional(),
    })
    .superRefine(
      (note, ctx) => {
        if (typeof note !== 'object' || note === null || Array.isArray(note)) return;
        if (note.updated instanceof Date && note.date instanceof Date && note.updated < note.date)
          ctx.addIssue({
            code: 'custom',
            path: ['updated'],
            message: `(${note.updated.toISOString()}) is earlier than date (${note.date.toISOString()}); a revision comes after the note`,
          });
        // A draft may be unfinished; a note that will publish needs what lists and feeds show.
        if (note.draft === true) return;
        if (!note.summary)
          ctx.addIssue({ code: 'custom', path: ['summary'], message: 'is required unless draft: true' });
        if (Array.isArray(note.topics) && note.topics.length === 0)
          ctx.addIssue({
            code: 'custom',
            path: ['topics'],
            message: 'needs at least one topic unless draft: true',
          });
      },
      // Checked even when another field is wrong, so that one run of `check` names every problem.
      { when: () => true },
    );
}

const written = (value: string | Date) => (value instanceof Date ? value.toISOString() : value);

/** A close slug is most likely a typo of it; otherwise the writer needs the whole list. */
export function unknownTopic(topic: string, slugs: readonly string[]): string {
  const guess = slugs.length > 0 ? closest(topic, [...slugs]) : undefined;
  if (guess && distance(topic, guess) <= Math.max(2, Math.floor(topic.length / 3)))
    return `unknown topic "${topic}"; did you mean "${guess}"?`;
  return `unknown topic "${topic}"; site.yml has: ${slugs.join(', ')}`;
}

export type FrontMatter = z.infer<ReturnType<typeof frontMatterSchema>>;
