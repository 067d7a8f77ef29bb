import { describe, expect, it } from 'vitest';
import { parseQuery } from './query.js';
import { indexTerms } from './terms.js';

describe('parseQuery', () => {
  const cases: {
    typed: string;
    terms: string[];
    prefixed?: string[];
    phrases?: string[][];
    cut?: boolean;
  }[] = [
    { typed: 'FF3-1', terms: ['ff3-1'], prefixed: [] },
    { typed: 'PCI DSS 3.5.1.2', terms: ['pci', 'dss', '3.5.1.2'], prefixed: ['pci', 'dss'] },
    { typed: 'Drilling restores', terms: ['drill', 'restor'], prefixed: ['drill', 'restor'] },
    {
      typed: '"restore drills" RPO',
      terms: ['restor', 'drill', 'rpo'],
      prefixed: ['rpo'],
      phrases: [['restore', 'drills']],
    },
    { typed: '“curly quotes”', terms: ['curli', 'quot'], prefixed: [], phrases: [['curly', 'quotes']] },
    { typed: '"an unbalanced quote', terms: ['an', 'unbalanc', 'quot'], prefixed: ['unbalanc', 'quot'] },
    { typed: '((RPO) OR (', terms: ['rpo', 'or'], prefixed: ['rpo'] },
    { typed: '<script>alert(1)</script>', terms: ['script', 'alert', '1'], prefixed: ['script', 'alert'] },
    { typed: '!!! ??? ... ---', terms: [] },
    { typed: '', terms: [] },
    { typed: 'a b c d e f g h i j k l m n', terms: 'abcdefghijkl'.split(''), prefixed: [], cut: true },
  ];
  for (const { typed, terms, prefixed, phrases = [], cut = false } of cases)
    it(`reads ${JSON.stringify(typed)}`, () => {
      const query = parseQuery(typed);
      expect(query.words.map((word) => word.term)).toEqual(terms);
      if (prefixed)
        expect(query.words.filter((word) => word.prefix).map((word) => word.term)).toEqual(prefixed);
      expect(query.phrases).toEqual(phrases);
      expect(query.cut).toBe(cut);
    });

  it('cuts a long query to 200 characters', () => {
    const query = parseQuery(`RPO ${'x'.repeat(500)}`);
    expect(query.text).toHaveLength(200);
    expect(query.cut).toBe(true);
  });
});

describe('indexTerms', () => {
  const cases: [string, string[]][] = [
    ['RAID-5', ['raid-5', 'raid', '5']],
    ['3.5.1.2', ['3.5.1.2', '3', '5', '1', '2']],
    ['3-2-1-1-0', ['3-2-1-1-0', '3', '2', '1', '1', '0']],
    ['drills', ['drill']],
    ['DDR5', ['ddr5']],
    ["operator's", ["operator's", 'oper']],
  ];
  for (const [token, terms] of cases)
    it(`indexes ${token} as ${terms.join(', ')}`, () => {
      expect(indexTerms(token)).toEqual(terms);
    });
});
