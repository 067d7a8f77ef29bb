// Validates a page's HTML with html-validate: its standard rules (the HTML specification's content
// models, attributes, ids, ARIA), without its opinions on code style.
import { HtmlValidate } from 'html-validate';

const validator = new HtmlValidate({
  extends: ['html-validate:standard', 'html-validate:a11y'],
  rules: {
    // Preact writes void elements as <meta ... />, which HTML allows.
    'void-style': 'off',
    // A list may be named (ARIA 1.2 lets authors name role=list); the topics under a note's title are.
    'aria-label-misuse': ['error', { allowAnyNamable: true }],
    // A scrolling table's wrapper is a <div role="region">, as the ARIA practices show it; a <section>
    // would add an outline entry for every table.
    'prefer-native-element': ['error', { exclude: ['region'] }],
  },
});

/** One line per problem, `line:column rule: message`; empty when the page is valid. */
export async function htmlProblems(html: string): Promise<string[]> {
  const report = await validator.validateString(html);
  return report.results.flatMap((result) =>
    result.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`),
  );
}
