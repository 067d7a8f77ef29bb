import { renderToString } from 'preact-render-to-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminLayout } from '../src/admin/views/admin-layout.js';
import { ErrorBudgetPanel } from '../src/admin/views/error-budget-panel.js';
import { budgetOf, type ErrorBudget, errorBudgetsFor } from '../src/observability/error-budget.js';
import { addRequests, minuteOf } from '../src/observability/request-minutes.js';
import { startAdminApp } from './support/admin-app.js';
import { launchChromium, skipBrowserTests } from './support/chromium.js';
import { htmlProblems } from './support/html-validator.js';

const budgets: ErrorBudget[] = [
  // 200 server errors in a million requests: a fifth of a 0.1 % budget gone, spent at 0.5× this hour.
  budgetOf(
    'availability',
    'Requests answered without a server error',
    99.9,
    { good: 999_800, total: 1_000_000 },
    { good: 19_990, total: 20_000 },
  ),
  // 15 late of 1,000 against a 1 % budget: overspent by half.
  budgetOf(
    'confirmation',
    'Confirmation mails sent within 60\u00a0s',
    99,
    { good: 985, total: 1000 },
    { good: 9, total: 10 },
  ),
  budgetOf(
    'delivery',
    'Readers whose issue left within 1\u00a0h of publishing',
    99,
    { good: 0, total: 0 },
    { good: 0, total: 0 },
  ),
];

const page = () =>
  `<!doctype html>\n${renderToString(
    <AdminLayout
      title="Dashboard"
      section="dashboard"
      admin={{ email: 'writer@errorbudget.test' }}
      csrfToken="token"
      styles={['error-budget.css']}
    >
      <ErrorBudgetPanel budgets={budgets} />
    </AdminLayout>,
  )}`;

describe('the error budget panel', () => {
  it('computes budgets the SRE way', () => {
    const [availability, confirmation, delivery] = budgets;
    expect(availability).toMatchObject({ target: 0.999, good: 999_800, total: 1_000_000, windowDays: 28 });
    expect(availability?.remaining).toBeCloseTo(0.8, 9);
    expect(availability?.burnRate).toBeCloseTo(0.5, 9);
    expect(confirmation?.remaining).toBeCloseTo(-0.5, 9);
    expect(confirmation?.burnRate).toBeCloseTo(10, 9);
    expect(delivery).toMatchObject({ remaining: 1, burnRate: 0 });
  });

  it('says per objective its target, the budget left, the burn rate and the counts, in valid HTML', async () => {
    const html = page();
    expect(await htmlProblems(html)).toEqual([]);
    expect(html).not.toMatch(/\sstyle=/);
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Requests answered without a server error Healthy target 99.9 %');
    expect(text).toContain('Budget left 80 % 80 %');
    expect(text).toContain('Burn rate, last hour 0.5×');
    expect(text).toContain('999,800 of 1,000,000');
    expect(text).toContain('Confirmation mails sent within 60 s Spent target 99 %');
    expect(text).toContain('-50 %');
    expect(text).toContain('Readers whose issue left within 1 h of publishing Nothing judged yet');
    expect(text).toContain('Good of all, 28 days none');
    // The meter cannot show an overspent budget below its minimum: it stays empty, and the text says how much.
    expect(html).toContain('id="error-budget-confirmation-meter" class="error-budget-meter" min="0" max="1"');
    expect(html).toMatch(/id="error-budget-confirmation-meter"[^>]* value="0"/);
  });
});

describe.skipIf(skipBrowserTests)('the error budget panel in headless Chromium', () => {
  let app: Awaited<ReturnType<typeof startAdminApp>>;
  beforeAll(async () => {
    app = await startAdminApp({ workers: false });
  });
  afterAll(async () => app.close());

  it('gives the dashboard the budgets of its own database, with the targets of site.yml', async () => {
    await addRequests(app.db.kysely, minuteOf(app.clock.now()), 2000, 1);
    const budgets = await errorBudgetsFor(app.adminDeps);
    expect(budgets.map((b) => [b.slo, b.target, b.good, b.total])).toEqual([
      ['availability', 0.999, 1999, 2000],
      ['confirmation', 0.99, 0, 0],
      ['delivery', 0.99, 0, 0],
    ]);
    expect(budgets[0]?.remaining).toBeCloseTo(0.5, 9);
  });

  it('fits a 375 px screen with its styles from the admin assets, each meter labelled and full width', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
      const tab = await context.newPage();
      const foreign: string[] = [];
      tab.on('request', (request) => {
        if (!request.url().startsWith(app.baseUrl)) foreign.push(request.url());
      });
      // The panel's markup, with its stylesheets from the running admin (the assets need no session).
      await tab.goto(`${app.baseUrl}/admin/assets/error-budget.css`);
      await tab.setContent(page().replace('<head>', `<head><base href="${app.baseUrl}/">`));
      await tab.waitForLoadState('load');
      expect(foreign).toEqual([]);
      const layout = await tab.evaluate(() => ({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        meters: [...document.querySelectorAll('meter')].map((m) => ({
          width: m.getBoundingClientRect().width,
          label: m.labels[0]?.textContent,
        })),
        listStyle: getComputedStyle(document.querySelector('.error-budget-list') as Element).listStyleType,
      }));
      expect(layout.overflow).toBeLessThanOrEqual(0);
      expect(layout.listStyle).toBe('none');
      expect(layout.meters).toHaveLength(3);
      for (const meter of layout.meters) {
        expect(meter.label).toBe('Budget left');
        expect(meter.width).toBeGreaterThan(150);
      }
      await tab.screenshot({
        path: `${process.env.TMPDIR ?? '/tmp'}/error-budget-panel-375.png`,
        fullPage: true,
      });
    } finally {
      await browser.close();
    }
  });
});
