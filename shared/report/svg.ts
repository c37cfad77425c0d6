/** Minimal SVG building blocks: scales, path data, ticks, escaping. Pure string functions. */

export type Point = [number, number];

/** Maps [d0, d1] linearly onto [r0, r1]; a degenerate domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

const fmt = (v: number) => String(Math.round(v * 100) / 100);

/** "M x y L x y ..." for a polyline; points with a non-finite coordinate break the line. */
export function pathD(points: Point[]): string {
  const parts: string[] = [];
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? 'L' : 'M'}${fmt(x)} ${fmt(y)}`);
    pen = true;
  }
  return parts.join(' ');
}

/** A closed area between an upper and a lower line over the same x values. */
export function bandD(xs: number[], upper: number[], lower: number[]): string {
  if (!xs.length) return '';
  const top = xs.map((x, i): Point => [x, upper[i]]);
  const bottom = xs.map((x, i): Point => [x, lower[i]]).reverse();
  return pathD([...top, ...bottom]) + ' Z';
}

/** Round tick values (1, 2, 5 x 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** Escapes text for HTML and SVG content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return `${Math.round(v / 100) / 10}k`;
  return String(Math.round(v * 1000) / 1000);
}
