// Readers over the last 90 days as a line chart drawn on the server: an SVG with a title and a
// description for screen readers, and the same figures as a table for anyone who wants the numbers.
import type { DailyCounts } from '../../subscriptions/status-counts.js';

const width = 720;
const height = 240;
const pad = { top: 16, right: 16, bottom: 28, left: 64 };

export interface GrowthChartProps {
  days: DailyCounts[];
}

/** Round numbers for the axis: the smallest 1, 2 or 5 × 10ⁿ step giving at most four intervals. */
export function axisTicks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(v);
  return ticks;
}

export function GrowthChart({ days }: GrowthChartProps) {
  const active = days.map((d) => d.counts.active);
  const all = days.map((d) => d.counts.active + d.counts.pending);
  const ticks = axisTicks(Math.max(...all, 0));
  const top = ticks.at(-1) ?? 1;
  const x = (i: number) => pad.left + (i * (width - pad.left - pad.right)) / Math.max(days.length - 1, 1);
  const y = (v: number) => height - pad.bottom - (v * (height - pad.top - pad.bottom)) / top;
  const line = (values: number[]) => values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const first = days[0];
  const last = days.at(-1);
  const labelled = [0, Math.floor((days.length - 1) / 2), days.length - 1];
  const change = (active.at(-1) ?? 0) - (active[0] ?? 0);
  const description =
    first && last
      ? `Active readers went from ${fmt(active[0] ?? 0)} on ${first.day} to ${fmt(active.at(-1) ?? 0)} on ${last.day} (${change >= 0 ? '+' : ''}${fmt(change)}); with readers waiting to confirm, from ${fmt(all[0] ?? 0)} to ${fmt(all.at(-1) ?? 0)}.`
      : 'No days to show.';
  return (
    <>
      <figure class="growth">
        <svg
          class="growth-chart"
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-labelledby="growth-title growth-desc"
          preserveAspectRatio="xMidYMid meet"
        >
          <title id="growth-title">Readers over the last {days.length} days</title>
          <desc id="growth-desc">{description}</desc>
          <g class="growth-grid">
            {ticks.map((v) => (
              <g key={v}>
                <line x1={pad.left} x2={width - pad.right} y1={y(v)} y2={y(v)} />
                <text x={pad.left - 8} y={y(v) + 4} text-anchor="end">
                  {fmt(v)}
                </text>
              </g>
            ))}
            {labelled.map((i) => (
              <text
                key={i}
                x={x(i)}
                y={height - 8}
                text-anchor={i === 0 ? 'start' : i === days.length - 1 ? 'end' : 'middle'}
              >
                {days[i]?.day}
              </text>
            ))}
          </g>
          <polyline class="growth-line growth-line-all" points={line(all)} />
          <polyline class="growth-line growth-line-active" points={line(active)} />
        </svg>
        <figcaption>
          <span class="growth-key growth-key-active">Active</span>{' '}
          <span class="growth-key growth-key-all">Active and waiting to confirm</span>
        </figcaption>
      </figure>
      <details class="growth-table">
        <summary>The figures, day by day</summary>
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" class="number">
                  Active
                </th>
                <th scope="col" class="number">
                  Pending
                </th>
                <th scope="col" class="number">
                  Unsubscribed
                </th>
                <th scope="col" class="number">
                  Suppressed
                </th>
              </tr>
            </thead>
            <tbody>
              {[...days].reverse().map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  <td class="number">{fmt(d.counts.active)}</td>
                  <td class="number">{fmt(d.counts.pending)}</td>
                  <td class="number">{fmt(d.counts.unsubscribed)}</td>
                  <td class="number">{fmt(d.counts.suppressed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}

export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
