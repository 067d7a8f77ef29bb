import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { readFlatYaml } from './yaml-document.js';

/** Front matter shapes, flat and not: the quick reading must give what the YAML parser gives, or nothing. */
const samples = [
  'title: "Backups: the hard part"\nsummary: \'Short\'\ndate: 2026-11-20T09:00:00+00:00\ntopics: [backup-recovery, ai-workloads]',
  "title: It's fine\ndraft: true\nnewsletter: False\ntopics: []",
  'title: http://x.y/z\nslug: a-b\ndate: 2026-11-20\nupdated: 08:30',
  "a: 'it''s'",
  'a: x #c',
  'a: 12',
  'a: 1.5',
  'a: .inf',
  'a: ~',
  'a: null',
  'a: [x, "y z", true]',
  'a: [1, 2]',
  'a: x\na: y',
  'a: [x,]',
  'a: "a\\"b"',
  'a: 0x1F',
  'a: 1_000',
  'a: -',
  'a: [a, [b]]',
  'a: {b: c}',
  'a: x\n  b',
  'a: "x" # c',
  'a:\n  - x',
  '# a comment\na: x',
  'a: 1e3',
  'a: +1',
  'a: yes',
];

describe('readFlatYaml', () => {
  it.each(samples)('reads %j as the YAML parser does, or leaves it to it', (text) => {
    const flat = readFlatYaml(text);
    if (flat === undefined) return;
    const doc = parseDocument(text, { uniqueKeys: true });
    expect(doc.errors).toEqual([]);
    expect(flat).toEqual(doc.toJS());
  });

  it('reads the usual front matter itself', () => {
    expect(readFlatYaml(samples[0] as string)).toEqual({
      title: 'Backups: the hard part',
      summary: 'Short',
      date: '2026-11-20T09:00:00+00:00',
      topics: ['backup-recovery', 'ai-workloads'],
    });
    expect(readFlatYaml('a: x\na: y')).toBeUndefined();
    expect(readFlatYaml('a: 12')).toBeUndefined();
  });
});
