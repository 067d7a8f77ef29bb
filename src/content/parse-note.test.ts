import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSite } from './load-site.js';
import { parseNote } from './parse-note.js';

const site = parseSite(
  readFileSync(new URL('../../test/fixtures/content/site.yml', import.meta.url), 'utf8'),
  'site.yml',
);

const good = {
  title: 'Restore drills',
  summary: 'Why we restore every month.',
  date: '2026-11-13T09:00:00+00:00',
  topics: '[backup-recovery]',
};

function note(fields: Record<string, string | undefined>, body = '\nBody.\n'): string {
  const lines = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${value}`);
  return `---\n${lines.join('\n')}\n---\n${body}`;
}

describe('note front matter', () => {
  const badNotes: { name: string; source: string; file?: string; message: RegExp }[] = [
    { name: 'no front matter', source: 'Just text.\n', message: /^notes\/x\.md:1: missing front matter/ },
    {
      name: 'missing title',
      source: note({ ...good, title: undefined }),
      message: /^notes\/x\.md:2: title is required$/,
    },
    {
      name: 'empty title',
      source: note({ ...good, title: '""' }),
      message: /^notes\/x\.md:2: title must not be empty$/,
    },
    {
      name: 'unknown topic',
      source: note({ ...good, topics: '[backup-recovery, kubernetes]' }),
      message: /^notes\/x\.md:5: unknown topic "kubernetes"; site\.yml has: ai-workloads, vmware-vsan, /,
    },
    {
      name: 'unparsable date',
      source: note({ ...good, date: 'next friday' }),
      message: /^notes\/x\.md:4: date "next friday" is not a date such as 2026-11-20T09:00:00\+00:00$/,
    },
    {
      name: 'impossible date',
      source: note({ ...good, date: '2026-02-30 09:00' }),
      message: /^notes\/x\.md:4: date "2026-02-30 09:00" is not a date/,
    },
    {
      name: 'missing date',
      source: note({ ...good, date: undefined }),
      message: /^notes\/x\.md:2: date is required$/,
    },
    {
      name: 'YAML syntax error with its line',
      source: note({ ...good, summary: 'Backups: the hard part' }),
      message:
        /^notes\/x\.md:3: invalid YAML: a value with ": " in it must be in quotes, such as summary: "Backups: the hard part"$/,
    },
    {
      name: 'misspelt field',
      source: note({ ...good, tittle: 'Oops' }),
      message: /^notes\/x\.md:6: unknown field "tittle"; did you mean "title"\?$/,
    },
    {
      name: 'draft not a boolean',
      source: note({ ...good, draft: 'maybe' }),
      message: /^notes\/x\.md:6: draft must be true or false$/,
    },
    {
      name: 'summary missing on a note that will publish',
      source: note({ ...good, summary: undefined }),
      message: /^notes\/x\.md:2: summary is required unless draft: true$/,
    },
    {
      name: 'no topics on a note that will publish',
      source: note({ ...good, topics: '[]' }),
      message: /^notes\/x\.md:5: topics needs at least one topic unless draft: true$/,
    },
    {
      name: 'topics not a list',
      source: note({ ...good, topics: 'backup-recovery' }),
      message: /^notes\/x\.md:5: topics must be a list such as \[ai-workloads\]$/,
    },
    {
      name: 'front matter that is never closed',
      source: '---\ntitle: Open\nsummary: s\n\nThe body.\n',
      message: /^notes\/x\.md:1: the front matter is not closed: add a line "---" after its last field$/,
    },
    {
      name: 'a topic slug with a typo',
      source: note({ ...good, topics: '[backup-recovry]' }),
      message: /^notes\/x\.md:5: unknown topic "backup-recovry"; did you mean "backup-recovery"\?$/,
    },
    {
      name: 'updated earlier than date',
      source: note({ ...good, updated: '2026-11-01T09:00:00+00:00' }),
      message:
        /^notes\/x\.md:6: updated \(2026-11-01T09:00:00\.000Z\) is earlier than date \(2026-11-13T09:00:00\.000Z\); a revision comes after the note$/,
    },
    {
      name: 'front matter that is a list, not fields',
      source: '---\n- title\n- date\n---\nBody.\n',
      message: /^notes\/x\.md:2: must be fields, one per line, such as title: My note$/,
    },
    {
      name: 'a quote never closed, at the line it opens',
      source: note({ ...good, title: '"Restore drills' }),
      message: /^notes\/x\.md:2: invalid YAML: a " is opened but never closed$/,
    },
    {
      name: 'a list never closed, at the line it opens',
      source: note({ ...good, topics: '[backup-recovery', draft: 'false' }),
      message:
        /^notes\/x\.md:5: invalid YAML: a list opened with "\[" is not closed with "\]" on the same line$/,
    },
    {
      name: 'a field indented under one that has a value',
      source: note({ ...good, summary: 'Why.\n  topics: [backup-recovery]' }),
      message:
        /^notes\/x\.md:4: invalid YAML: this line is indented, but the field above already has a value$/,
    },
    {
      name: 'a tab for indentation',
      source: note({ ...good, summary: 'Why.\n\tdraft: true' }),
      message: /^notes\/x\.md:4: invalid YAML: a tab indents this line; YAML needs spaces$/,
    },
    {
      name: 'file name that is not a slug',
      source: note(good),
      file: 'notes/My Note.md',
      message: /^notes\/My Note\.md:1: slug "My Note" must be lowercase/,
    },
  ];

  for (const { name, source, file, message } of badNotes) {
    it(`rejects ${name} with one line naming file, line and field`, () => {
      expect(() => parseNote(source, file ?? 'notes/x.md', site)).toThrow(message);
    });
  }

  it('names every problem of the front matter at once, one line each', () => {
    const source = note({
      title: undefined,
      summary: 's',
      date: 'someday',
      topics: '[backup-recovry]',
      draft: '1',
    });
    expect(() => parseNote(source, 'notes/x.md', site)).toThrow(
      [
        'notes/x.md:2: title is required',
        'notes/x.md:3: date "someday" is not a date such as 2026-11-20T09:00:00+00:00',
        'notes/x.md:4: unknown topic "backup-recovry"; did you mean "backup-recovery"?',
        'notes/x.md:5: draft must be true or false',
      ].join('\n'),
    );
  });

  it('reads a date with an offset as written', () => {
    expect(parseNote(note(good), 'notes/x.md', site).date.toISOString()).toBe('2026-11-13T09:00:00.000Z');
  });

  it('reads a local date and time in the site time zone', () => {
    // Europe/London is on summer time (UTC+1) in July.
    const parsed = parseNote(note({ ...good, date: '2026-07-03 09:00' }), 'notes/x.md', site);
    expect(parsed.date.toISOString()).toBe('2026-07-03T08:00:00.000Z');
  });

  it('reads a bare date as that day at the publish slot', () => {
    const parsed = parseNote(note({ ...good, date: '2026-11-27' }), 'notes/x.md', site);
    expect(parsed.date.toISOString()).toBe('2026-11-27T09:00:00.000Z');
  });

  it('lets a draft go without summary and topics', () => {
    const parsed = parseNote(
      note({ title: 'Idea', date: '2026-12-04', draft: 'true' }),
      'notes/idea.md',
      site,
    );
    expect(parsed).toMatchObject({ slug: 'idea', draft: true, summary: '', topics: [] });
  });

  it('takes the slug from the file name, or from slug:', () => {
    expect(parseNote(note(good), 'notes/2026/restore-drills.md', site).slug).toBe('restore-drills');
    expect(parseNote(note({ ...good, slug: 'drills' }), 'notes/x.md', site).slug).toBe('drills');
  });
});

describe('site.yml', () => {
  const source = readFileSync(new URL('../../test/fixtures/content/site.yml', import.meta.url), 'utf8');
  const badSites: { name: string; edit: (yaml: string) => string; message: RegExp }[] = [
    {
      name: 'missing title',
      edit: (y) => y.replace(/^title: .*\n/m, ''),
      message: /^site\.yml:\d+: title is required$/,
    },
    {
      name: 'unknown time zone',
      edit: (y) => y.replace(/^timezone: .*$/m, 'timezone: Mars/Olympus'),
      message: /^site\.yml:\d+: timezone is not an IANA time zone/,
    },
    {
      name: 'bad publish time',
      edit: (y) => y.replace(/time: "09:00"/, 'time: "9am"'),
      message: /^site\.yml:\d+: publish\.time must be HH:MM, 24-hour$/,
    },
    {
      name: 'duplicate topic slug',
      edit: (y) => y.replace('slug: vmware-vsan', 'slug: ai-workloads'),
      message: /^site\.yml:\d+: topics \(item 2\) slug is "ai-workloads", already the slug of another topic$/,
    },
  ];
  badSites.push(
    {
      name: 'a misspelt nested field',
      edit: (y) => y.replace(/^( {2})postalAddress:/m, '$1postalAdress:'),
      message: /^site\.yml:\d+: unknown field "postalAdress" in mail; did you mean "postalAddress"\?$/m,
    },
    {
      name: 'a section that is not a group of fields',
      edit: (y) => y.replace(/^mail:\n(?: {2}.*\n)+/m, 'mail: nowhere\n'),
      message: /^site\.yml:\d+: mail must be a group of indented fields$/,
    },
    {
      name: 'a stat without a label',
      edit: (y) => y.replace(/^stats:\n/m, 'stats:\n  - value: 12\n'),
      message: /^site\.yml:\d+: stats \(item 1\) label is required$/,
    },
  );
  badSites.push(
    {
      name: 'an availability target above 100',
      edit: (y) => `${y}\nslo:\n  availability: 120\n`,
      message:
        /^site\.yml:\d+: slo\.availability must be below 100 \(a target of 100 leaves no error budget\)$/,
    },
    {
      name: 'a delivery target that is not a number',
      edit: (y) => `${y}\nslo:\n  delivery: abc\n`,
      message: /^site\.yml:\d+: slo\.delivery must be a percentage such as 99\.9$/,
    },
    {
      name: 'a target of 0',
      edit: (y) => `${y}\nslo:\n  confirmation: 0\n`,
      message: /^site\.yml:\d+: slo\.confirmation must be a percentage above 0$/,
    },
    {
      name: 'a misspelt objective',
      edit: (y) => `${y}\nslo:\n  availabilty: 99.5\n`,
      message: /^site\.yml:\d+: unknown field "availabilty" in slo; did you mean "availability"\?$/,
    },
  );
  for (const { name, edit, message } of badSites) {
    it(`rejects ${name}`, () => {
      expect(() => parseSite(edit(source), 'site.yml')).toThrow(message);
    });
  }

  it('takes the objectives from slo, with 99.9, 99 and 99 for those it leaves out', () => {
    expect(parseSite(source, 'site.yml').slo).toEqual({ availability: 99.9, confirmation: 99, delivery: 99 });
    const set = parseSite(`${source}\nslo:\n  availability: 99.5\n  delivery: 95\n`, 'site.yml');
    expect(set.slo).toEqual({ availability: 99.5, confirmation: 99, delivery: 95 });
  });

  it('names the line of the field', () => {
    const edited = source.replace(/^timezone: .*$/m, 'timezone: Nowhere/Here');
    const line = edited.split('\n').findIndex((text) => text.startsWith('timezone:')) + 1;
    expect(() => parseSite(edited, 'site.yml')).toThrow(`site.yml:${line}: timezone`);
  });
});
