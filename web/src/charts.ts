// Plain SVG charts: bars (events per minute, opens per hour) and enter/exit bars (audience
// history). Each bar has a <title> for hover, and the chart has a text summary for screen
// readers.
import { s } from './dom';

export interface Bar {
  label: string; // axis label (may be shown sparsely)
  value: number;
  title?: string; // hover text; defaults to "label: value"
}

// Drawn at about the size shown, so labels stay legible from phone width to desktop.
function chartWidth(): number {
  return Math.round(Math.min(720, Math.max(300, window.innerWidth - 48)));
}

export function barChart(bars: Bar[], opts: { label: string; height?: number; every?: number; labelWidth?: number; cls?: string }): SVGElement {
  const W = chartWidth();
  const H = opts.height ?? 180;
  const padL = 34, padB = 26, padT = 10, padR = 6;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const n = Math.max(1, bars.length);
  const slot = (W - padL - padR) / n;
  const bw = Math.max(1, slot * 0.8);
  const plotH = H - padT - padB;
  // Label every bar when there is room (labelWidth per label, default 28), else every k-th.
  const every = opts.every ?? Math.max(1, Math.ceil(n / Math.floor((W - padL) / (opts.labelWidth ?? 28))));
  const total = bars.reduce((a, b) => a + b.value, 0);
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart ' + (opts.cls ?? ''),
    role: 'img',
    'aria-label': `${opts.label}: ${total} in ${bars.length} bars, highest ${max}`,
    preserveAspectRatio: 'xMidYMid meet',
  });
  // Grid: zero line, max line.
  svg.append(
    s('line', { x1: padL, x2: W - padR, y1: padT + plotH, y2: padT + plotH, class: 'axis' }),
    s('line', { x1: padL, x2: W - padR, y1: padT, y2: padT, class: 'grid' }),
    s('text', { x: padL - 4, y: padT + 4, class: 'tick', 'text-anchor': 'end' }, String(max)),
    s('text', { x: padL - 4, y: padT + plotH, class: 'tick', 'text-anchor': 'end' }, '0'),
  );
  bars.forEach((b, i) => {
    const x = padL + i * slot + (slot - bw) / 2;
    const bh = (b.value / max) * plotH;
    const rect = s(
      'rect',
      { x: x.toFixed(1), y: (padT + plotH - bh).toFixed(1), width: bw.toFixed(1), height: bh.toFixed(1), class: 'bar', 'data-value': b.value },
      s('title', null, b.title ?? `${b.label}: ${b.value}`),
    );
    svg.append(rect);
    if (i % every === 0) {
      svg.append(s('text', { x: (x + bw / 2).toFixed(1), y: H - 8, class: 'tick', 'text-anchor': 'middle' }, b.label));
    }
  });
  return svg;
}

export interface EnterExit {
  label: string;
  enter: number;
  exit: number;
  title?: string;
}

// Enters above the axis, exits below it.
export function enterExitChart(rows: EnterExit[], opts: { label: string; height?: number }): SVGElement {
  const W = chartWidth();
  const H = opts.height ?? 200;
  const padL = 34, padB = 24, padT = 10, padR = 6;
  const max = Math.max(1, ...rows.map((r) => Math.max(r.enter, r.exit)));
  const n = Math.max(1, rows.length);
  const slot = (W - padL - padR) / n;
  const bw = Math.max(1, slot * 0.7);
  const half = (H - padT - padB) / 2;
  const mid = padT + half;
  const every = Math.max(1, Math.ceil(n / Math.floor((W - padL) / 64)));
  const enters = rows.reduce((a, r) => a + r.enter, 0);
  const exits = rows.reduce((a, r) => a + r.exit, 0);
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart enter-exit',
    role: 'img',
    'aria-label': `${opts.label}: ${enters} entered, ${exits} exited`,
  });
  svg.append(
    s('line', { x1: padL, x2: W - padR, y1: mid, y2: mid, class: 'axis' }),
    s('text', { x: padL - 4, y: padT + 8, class: 'tick', 'text-anchor': 'end' }, `+${max}`),
    s('text', { x: padL - 4, y: padT + 2 * half, class: 'tick', 'text-anchor': 'end' }, `-${max}`),
  );
  rows.forEach((r, i) => {
    const x = padL + i * slot + (slot - bw) / 2;
    const eh = (r.enter / max) * half;
    const xh = (r.exit / max) * half;
    const tip = r.title ?? r.label;
    svg.append(
      s('rect', { x: x.toFixed(1), y: (mid - eh).toFixed(1), width: bw.toFixed(1), height: eh.toFixed(1), class: 'bar enter' }, s('title', null, `${tip}: ${r.enter} entered`)),
      s('rect', { x: x.toFixed(1), y: mid.toFixed(1), width: bw.toFixed(1), height: xh.toFixed(1), class: 'bar exit' }, s('title', null, `${tip}: ${r.exit} exited`)),
    );
    if (i % every === 0) svg.append(s('text', { x: (x + bw / 2).toFixed(1), y: H - 6, class: 'tick', 'text-anchor': 'middle' }, r.label));
  });
  return svg;
}

// Events per minute over the minutes spanned by `times`, ending at the newest: at least
// `minMinutes` bars (so one busy minute is not one wide block), at most `maxMinutes`,
// zero-filled.
export function perMinute(times: Date[], maxMinutes = 60, minMinutes = 30): Bar[] {
  const valid = times.filter((t) => !Number.isNaN(t.getTime()));
  if (!valid.length) return [];
  const minute = (t: Date) => Math.floor(t.getTime() / 60000);
  const last = Math.max(...valid.map(minute));
  const first = Math.max(Math.min(...valid.map(minute), last - minMinutes + 1), last - maxMinutes + 1);
  const counts = new Map<number, number>();
  for (const t of valid) {
    const m = minute(t);
    if (m >= first) counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  const bars: Bar[] = [];
  for (let m = first; m <= last; m++) {
    const d = new Date(m * 60000);
    const label = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    const v = counts.get(m) ?? 0;
    bars.push({ label, value: v, title: `${label}: ${v} event${v === 1 ? '' : 's'}` });
  }
  return bars;
}
