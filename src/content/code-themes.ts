// The light and dark code themes: GitHub's, with every token colour made to meet WCAG AA on our code
// backgrounds (github-light's green is 4.34:1 there, its orange 3.28:1; github-dark's comments 3.05:1).
import { formatHex, oklch, wcagContrast } from 'culori';
import { bundledThemes, type ThemeRegistration } from 'shiki';

/** WCAG 2.x AA for normal text is 4.5:1; a little more survives rounding to a hex colour. */
export const minimumContrast = 4.5;
const target = minimumContrast + 0.05;

/**
 * Every background a code token is drawn on: the site's `--code-bg` (assets/site.css), the same colours in
 * the issue email (src/mail/issue-email.tsx), and the theme's own background for readers who copy it.
 */
export const codeBackgrounds = {
  light: ['#f6f8fa', '#ffffff'],
  dark: ['#1a1d22', '#24292e'],
} as const;

export const codeThemeNames = { light: 'errorbudget-light', dark: 'errorbudget-dark' } as const;

export async function loadCodeThemes(): Promise<ThemeRegistration[]> {
  const [light, dark] = await Promise.all([bundledThemes['github-light'](), bundledThemes['github-dark']()]);
  return [
    readableTheme(light.default, codeThemeNames.light, 'light'),
    readableTheme(dark.default, codeThemeNames.dark, 'dark'),
  ];
}

function readableTheme(theme: ThemeRegistration, name: string, scheme: 'light' | 'dark'): ThemeRegistration {
  const fix = (colour: string | undefined) => (colour ? readableColour(colour, scheme) : colour);
  const colors = { ...theme.colors, 'editor.foreground': fix(theme.colors?.['editor.foreground']) ?? '' };
  return {
    ...theme,
    name,
    displayName: name,
    colors,
    tokenColors: (theme.tokenColors ?? []).map((rule) => ({
      ...rule,
      // Token backgrounds are not drawn (Shiki emits foregrounds only), so each colour must stand alone.
      settings: { ...rule.settings, foreground: fix(rule.settings.foreground), background: undefined },
    })),
  };
}

/** The same hue and chroma, darker on light backgrounds and lighter on dark ones, until it reads. */
export function readableColour(colour: string, scheme: 'light' | 'dark'): string {
  const backgrounds = codeBackgrounds[scheme];
  const worst = (candidate: string) => Math.min(...backgrounds.map((bg) => wcagContrast(candidate, bg)));
  if (worst(colour) >= target) return colour;
  const start = oklch(colour);
  if (!start) return colour;
  for (let step = 1; step <= 100; step++) {
    const l = scheme === 'light' ? start.l - step * 0.01 : start.l + step * 0.01;
    const candidate = formatHex({ ...start, l: Math.min(1, Math.max(0, l)) });
    if (worst(candidate) >= target) return candidate;
  }
  return scheme === 'light' ? '#000000' : '#ffffff';
}
