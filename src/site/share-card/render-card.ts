// Draws one share card (the picture a link preview shows): the note's title and the site's name, as a
// 1200×630 PNG, with satori laying out the text and resvg painting it. Fonts ship with the package, so
// drawing never asks the network for anything.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import satori from 'satori';
import { cardSize } from './card-size.js';

export interface CardInput {
  title: string;
  siteName: string;
  /** The site's host name, so that a card seen out of context says where it leads. */
  host: string;
}

const require = createRequire(import.meta.url);

/**
 * IBM Plex (SIL Open Font License) from npm. satori takes a glyph the title's face lacks from any other
 * font it has, so Greek comes from the sans; scripts none of these cover (CJK, Arabic…) are not drawn.
 */
function font(family: 'serif' | 'sans', subset: string, weight: 400 | 600 | 700) {
  const file = `@fontsource/ibm-plex-${family}/files/ibm-plex-${family}-${subset}-${weight}-normal.woff`;
  return {
    name: `${family}-${subset}`,
    data: readFileSync(require.resolve(file)),
    weight,
    style: 'normal' as const,
  };
}

const serifSubsets = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'vietnamese'];
const sansSubsets = ['latin', 'latin-ext', 'cyrillic', 'greek'];
/** satori keeps one font per name, so each subset is its own family and the stack names them all. */
const serif = serifSubsets.map((subset) => `serif-${subset}`).join(', ');
const sans = sansSubsets.map((subset) => `sans-${subset}`).join(', ');

let fonts: ReturnType<typeof font>[] | undefined;

function loadFonts() {
  fonts ??= [
    ...serifSubsets.map((subset) => font('serif', subset, 700)),
    ...sansSubsets.map((subset) => font('sans', subset, 600)),
  ];
  return fonts;
}

type Child = CardElement | string;
interface CardElement {
  type: string;
  props: { style: Record<string, string | number>; children?: Child | Child[] };
}

const box = (style: CardElement['props']['style'], children?: Child | Child[]): CardElement => ({
  type: 'div',
  props: { style, children },
});

/** Long titles get smaller type, so that up to four lines fit between the name and the host. */
function titleSize(title: string): number {
  if (title.length <= 40) return 76;
  if (title.length <= 80) return 62;
  return 50;
}

const longestTitle = 160;

export async function renderCard(input: CardInput): Promise<Uint8Array> {
  const title =
    input.title.length > longestTitle ? `${input.title.slice(0, longestTitle - 1).trimEnd()}…` : input.title;
  const card = box(
    { width: '100%', height: '100%', display: 'flex', flexDirection: 'column', background: '#fbfaf7' },
    [
      box({ height: 18, background: '#a8321f' }),
      box(
        {
          flexGrow: 1,
          display: 'flex',
          flexDirection: 'column',
          justifyContent: 'space-between',
          padding: '60px 80px 56px',
          color: '#1b1d21',
        },
        [
          box({ fontFamily: sans, fontSize: 32, fontWeight: 600, color: '#575b63' }, input.siteName),
          box(
            {
              fontFamily: serif,
              fontWeight: 700,
              fontSize: titleSize(title),
              lineHeight: 1.14,
              letterSpacing: '-0.01em',
            },
            title,
          ),
          box({ fontFamily: sans, fontSize: 28, fontWeight: 600, color: '#a8321f' }, input.host),
        ],
      ),
    ],
  );
  const svg = await satori(card as never, { ...cardSize, fonts: loadFonts() });
  return new Resvg(svg, { fitTo: { mode: 'original' } }).render().asPng();
}
