/** The report's three chart kinds, drawn as inline SVG strings (no chart library). */
import type { QuantileForecast } from '../forecasting/model';
import { Point, bandD, esc, linearScale, niceTicks, pathD, tickLabel } from './svg';

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

interface Frame {
  width: number;
  height: number;
  x: (v: number) => number;
  y: (v: number) => number;
  body: string[];
}

const M = { left: 48, right: 12, top: 22, bottom: 34 };

/** Axes with ticks and labels for the given domains; charts push their marks onto `body`. */
function frame(width: number, height: number, xd: [number, number], yd: [number, number], title: string, xLabel: string): Frame {
  const x = linearScale(xd[0], xd[1], M.left, width - M.right);
  const y = linearScale(yd[0], yd[1], height - M.bottom, M.top);
  const body = [`<text x="${M.left}" y="14" class="title">${esc(title)}</text>`];
  for (const t of niceTicks(yd[0], yd[1], 4)) {
    body.push(`<line x1="${M.left}" x2="${width - M.right}" y1="${y(t).toFixed(2)}" y2="${y(t).toFixed(2)}" class="grid"/>`);
    body.push(`<text x="${M.left - 4}" y="${(y(t) + 3).toFixed(2)}" text-anchor="end">${tickLabel(t)}</text>`);
  }
  for (const t of niceTicks(xd[0], xd[1], 6)) {
    body.push(`<text x="${x(t).toFixed(2)}" y="${height - M.bottom + 13}" text-anchor="middle">${tickLabel(t)}</text>`);
  }
  body.push(`<text x="${(M.left + width - M.right) / 2}" y="${height - 4}" text-anchor="middle">${esc(xLabel)}</text>`);
  body.push(`<path d="M${M.left} ${M.top} V${height - M.bottom} H${width - M.right}" class="axis"/>`);
  return { width, height, x, y, body };
}

const close = (f: Frame) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}">${f.body.join('')}</svg>`;

export interface SampleChart {
  title: string;
  history: number[];
  actual: number[];
  forecast: QuantileForecast;
}

/** History line, shaded p10-p90 band, p50 line and the actuals as points; day 0 is the origin. */
export function bandChart(s: SampleChart, width = 420, height = 220): string {
  const H = s.actual.length;
  const n = s.history.length;
  const all = [...s.history, ...s.actual, ...s.forecast.p90.slice(0, H)].filter(Number.isFinite);
  const f = frame(width, height, [-n + 1, H], [0, Math.max(1, ...all)], s.title, 'days from origin');
  const days = s.actual.map((_, h) => h + 1);
  const xs = days.map(f.x);
  f.body.push(`<path d="${bandD(xs, s.forecast.p90.slice(0, H).map(f.y), s.forecast.p10.slice(0, H).map(f.y))}" class="band"/>`);
  f.body.push(`<path d="${pathD(s.history.map((v, i): Point => [f.x(i - n + 1), f.y(v)]))}" class="history"/>`);
  f.body.push(`<path d="${pathD(days.map((d, h): Point => [f.x(d), f.y(s.forecast.p50[h])]))}" class="p50"/>`);
  f.body.push(`<line x1="${f.x(0).toFixed(2)}" x2="${f.x(0).toFixed(2)}" y1="${M.top}" y2="${height - M.bottom}" class="origin"/>`);
  for (let h = 0; h < H; h++) f.body.push(`<circle cx="${f.x(h + 1).toFixed(2)}" cy="${f.y(s.actual[h]).toFixed(2)}" r="2.2" class="actual"/>`);
  return close(f);
}

export interface Series {
  name: string;
  points: Point[];
  dashed?: boolean;
  color?: string;
}

/** Several named lines over shared axes, with a legend on the right. */
export function lineChart(title: string, xLabel: string, series: Series[], opts: { width?: number; height?: number; xDomain?: [number, number]; yDomain?: [number, number] } = {}): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 300;
  const xsAll = series.flatMap((s) => s.points.map((p) => p[0])).filter(Number.isFinite);
  const ysAll = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const xd = opts.xDomain ?? [Math.min(...xsAll), Math.max(...xsAll)];
  const yd = opts.yDomain ?? [0, ysAll.length ? Math.max(...ysAll) * 1.05 : 1];
  const legendW = 130;
  const plotW = width - legendW;
  // The axes cover the plot area; the svg is wider by the legend.
  const f = { ...frame(plotW, height, xd, yd, title, xLabel), width };
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
    f.body.push(`<path d="${pathD(s.points.map(([x, y]): Point => [f.x(x), f.y(y)]))}" fill="none" stroke="${color}" stroke-width="1.6"${dash}/>`);
    for (const [x, y] of s.points) if (Number.isFinite(y) && !s.dashed && s.points.length <= 5) f.body.push(`<circle cx="${f.x(x).toFixed(2)}" cy="${f.y(y).toFixed(2)}" r="3" fill="${color}"/>`);
    const ly = M.top + 14 * i + 4;
    f.body.push(`<line x1="${plotW + 4}" x2="${plotW + 20}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    f.body.push(`<text x="${plotW + 24}" y="${ly + 3}">${esc(s.name)}</text>`);
  });
  return close(f);
}
