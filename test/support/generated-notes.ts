// Realistic generated notes for benches and tests of many notes: prose, sections, a table, code in five
// languages, a footnote; some with email and www. autolinks and raw HTML, so that the renderer's slower
// paths are taken as real notes take them. Deterministic: every run gets the same notes.
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const topics = [
  'ai-workloads',
  'vmware-vsan',
  'audit-ready-operations',
  'backup-recovery',
  'payments-security',
  'capacity-procurement',
  'network-contention',
];
const words = (
  'replica snapshot quorum budget failover capacity cluster backup restore audit evidence ledger packet queue ' +
  'retention policy latency throughput storage network firewall token vault key rotation window drill threshold alert'
).split(' ');

/** A deterministic pseudo-random stream, so every run times the same notes. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const codeSamples = [
  [
    'bash',
    'restic -r s3:backup/ledger backup /srv/ledger --tag nightly\nrestic forget --keep-daily 35 --prune',
  ],
  ['yaml', 'policy:\n  name: ledger-gold\n  ftt: 2\n  raid: 6\n  iops_limit: 0\n  encryption: true'],
  [
    'sql',
    "SELECT account_id, sum(amount) AS total\nFROM ledger_entries\nWHERE posted_at >= now() - interval '1 day'\nGROUP BY account_id;",
  ],
  [
    'json',
    '{\n  "rpo_minutes": 5,\n  "rto_minutes": 60,\n  "copies": ["snapshot", "object-lock", "vault"]\n}',
  ],
  [
    'ts',
    'export function budgetLeft(slo: number, good: number, total: number): number {\n  return (1 - slo) * total - (total - good);\n}',
  ],
] as const;

/** Note number `index`: the same text on every call. */
export function generatedNote(index: number): string {
  const next = random(index + 1);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const sentence = () =>
    `${Array.from({ length: 12 + Math.floor(next() * 14) }, () => pick(words)).join(' ')}.`;
  const paragraph = () => Array.from({ length: 3 + Math.floor(next() * 3) }, sentence).join(' ');
  const sections = 4 + Math.floor(next() * 4);
  const body: string[] = [paragraph()];
  for (let section = 1; section <= sections; section++) {
    body.push(`## Section ${section}: ${pick(words)} and ${pick(words)}`, paragraph(), paragraph());
    if (section === 2)
      body.push(
        '| Tier | RPO | RTO |\n| --- | --- | --- |\n| Ledger | 5 min | 1 h |\n| Reporting | 24 h | 8 h |',
      );
    if (section % 3 === 1) {
      const [lang, code] = pick(codeSamples);
      body.push(`\`\`\`${lang}\n${code}\n\`\`\``);
    }
  }
  // Some notes take the renderer's slower paths: email and www. autolinks, raw HTML to sanitise.
  if (index % 5 === 0)
    body.push(`Questions go to oncall-${index}@example.com, or see www.example.org/runbooks/${index}.`);
  if (index % 7 === 3)
    body.push(
      `<details>\n<summary>Drill log ${index}</summary>\n\n${paragraph()}\n\n</details>`,
      `<p>Raw <b>bold</b> ${pick(words)}</p>`,
    );
  body.push(`A claim with a source.[^1]\n\n[^1]: NIST SP 800-34 Rev. 1, section ${1 + (index % 7)}.`);
  // Every third day from 2016, and past the 1,300th note an hour later round the same days again: an
  // archive of 10,000 notes is all published, as a real one would be, not mostly scheduled.
  const day = (index % 1300) * 3 * 86_400_000;
  const date = new Date(Date.UTC(2016, 0, 1, 9) + day + Math.floor(index / 1300) * 3_600_000).toISOString();
  return `---\ntitle: "Note ${index}: ${pick(words)} at scale"\nsummary: "What we learned about ${pick(words)} in production."\ndate: ${date}\ntopics: [${pick(topics)}]\n---\n\n${body.join('\n\n')}\n`;
}

/** A content folder with the shipped site.yml and `count` generated notes (note-0 is the oldest). */
export async function writeGeneratedSite(contentDir: string, count: number, siteYml: string): Promise<void> {
  await mkdir(join(contentDir, 'notes'), { recursive: true });
  await cp(siteYml, join(contentDir, 'site.yml'));
  for (let index = 0; index < count; index++)
    await writeFile(join(contentDir, 'notes', `note-${index}.md`), generatedNote(index));
}
