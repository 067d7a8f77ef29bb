import { describe, expect, it } from 'vitest';
import { holdsPhrase, Lexicon, phraseRuns, wordPositions } from './word-positions.js';

describe('holdsPhrase', () => {
  const cases: [string[], string, boolean][] = [
    [['Restore', 'drills'], 'we run restore drills monthly', true],
    [['Restore', 'drills'], 'restore, drills', true],
    [['Restore', 'drills'], 'Restore drills', true],
    [['Restore', 'drills'], 'see restore-drills', true],
    [['Restore', 'drills'], 'restored drills', false],
    [['Restore', 'drills'], 'prerestore drills', false],
    [['Restore', 'drills'], 'restore drillsets', false],
    [['Restore', 'drills'], 'restore', false],
    [['Restore', 'drills'], 'drills restore', false],
    [['format-preserving', 'encryption'], 'Format-Preserving Encryption (FF3-1)', true],
    [['format-preserving', 'encryption'], 'format preserving encryption', false],
    [['format-preserving', 'encryption'], 'format.preserving encryption', false],
    [['format-preserving', 'encryption'], 'format--preserving encryption', false],
    [['3.5.1'], 'requirement 3.5.1.2 extends it', true],
    [['ünïcødé', 'text'], 'Ünïcødé text', true],
  ];
  for (const [tokens, text, holds] of cases)
    it(`${holds ? 'finds' : 'does not find'} "${tokens.join(' ')}" in "${text}"`, () => {
      const lexicon = new Lexicon();
      const positions = wordPositions(text, lexicon);
      const phrase = phraseRuns(tokens, lexicon);
      expect(phrase !== undefined && holdsPhrase(positions, phrase)).toBe(holds);
    });
});

describe('wordPositions', () => {
  it('numbers each run of letters and digits, and marks the runs a joiner ties to the next', () => {
    const lexicon = new Lexicon();
    const { starts, runs, joined } = wordPositions('RAID-5 or raid 5, x--y', lexicon);
    expect([...starts]).toEqual([0, 5, 7, 10, 15, 18, 21]);
    expect([...runs].map((run, index) => [lexicon.run(run), joined[index]])).toEqual([
      ['raid', 1],
      ['5', 0],
      ['or', 0],
      ['raid', 0],
      ['5', 0],
      ['x', 0],
      ['y', 0],
    ]);
  });
});
