// Shared pieces of every page: headings, error boxes that show the server's message, empty
// states that say what to do next, tables, chips, dates, copy buttons.
import { ApiError } from './api';
import { h, type Child } from './dom';

export function pageHeader(title: string, sub?: Child, actions?: Child): HTMLElement {
  return h(
    'header',
    { class: 'page-header' },
    h('div', null, h('h1', { tabindex: '-1' }, title), sub ? h('p', { class: 'sub' }, sub) : null),
    actions ? h('div', { class: 'actions' }, actions) : null,
  );
}

export function section(title: string, ...children: Child[]): HTMLElement {
  const id = 'sec-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

// The server's message, word for word, with the request id for support.
export function errorBox(err: unknown, context?: string): HTMLElement {
  const e = err instanceof ApiError ? err : null;
  const message = err instanceof Error ? err.message : String(err);
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('strong', null, context ? `${context}: ` : 'Error: '),
    h('span', { class: 'error-message' }, message),
    e && e.status ? h('span', { class: 'muted' }, ` (HTTP ${e.status}${e.requestId ? `, request ${e.requestId}` : ''})`) : null,
  );
}

export function emptyState(title: string, ...next: Child[]): HTMLElement {
  return h('div', { class: 'empty', role: 'status' }, h('p', { class: 'empty-title' }, title), ...next);
}

export function loading(what = 'Loading'): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, `${what}…`);
}

// A feature whose API the server does not have yet (404 on its route).
export function unavailable(feature: string, err: ApiError): HTMLElement {
  return h(
    'div',
    { class: 'notice', role: 'status' },
    h('p', null, h('strong', null, `${feature} are not available on this server yet.`)),
    h('p', { class: 'muted' }, 'The server said: ', h('span', { class: 'error-message' }, err.message)),
  );
}

export function chips(values: unknown[], cls = ''): HTMLElement {
  if (!values.length) return h('span', { class: 'muted' }, 'none');
  return h('ul', { class: 'chips ' + cls }, values.map((v) => h('li', { class: 'chip' }, String(v))));
}

export function badge(text: string, kind: string = text): HTMLElement {
  return h('span', { class: `badge badge-${kind.replace(/[^a-z0-9_-]/gi, '')}` }, text);
}

// A date as local time, with the UTC form on hover (and for screen readers in datetime).
export function timeEl(iso: string | null | undefined): HTMLElement {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', null, iso);
  return h('time', { datetime: d.toISOString(), title: `UTC: ${utc(d)}` }, local(d));
}

export function local(d: Date): string {
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function utc(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z').replace('T', ' ').replace('Z', ' UTC');
}

export function fmtNum(n: number | undefined | null): string {
  return typeof n === 'number' ? n.toLocaleString('en-US') : '—';
}

export function fmtBytes(n: number | undefined): string {
  if (typeof n !== 'number') return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}

export interface Column<T> {
  label: string;
  cell: (row: T) => Child;
  cls?: string;
}

export function table<T>(rows: T[], cols: Column<T>[], caption?: string): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption ?? 'table' },
    h(
      'table',
      null,
      caption ? h('caption', { class: 'sr-only' }, caption) : null,
      h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col', class: c.cls }, c.label)))),
      h('tbody', null, rows.map((r) => h('tr', null, cols.map((c) => h('td', { class: c.cls }, c.cell(r)))))),
    ),
  );
}

// A button that copies `text()` and says so.
export function copyButton(text: () => string, label = 'Copy'): HTMLButtonElement {
  const btn = h('button', { type: 'button', class: 'secondary copy' }, label);
  btn.addEventListener('click', async () => {
    const value = text();
    let ok = false;
    try {
      await navigator.clipboard.writeText(value);
      ok = true;
    } catch {
      // Clipboard API unavailable (plain http on another host): fall back to a selection copy.
      const ta = h('textarea', { class: 'sr-only', 'aria-hidden': 'true' });
      ta.value = value;
      document.body.appendChild(ta);
      ta.select();
      try {
        ok = document.execCommand('copy');
      } catch {
        ok = false;
      }
      ta.remove();
    }
    btn.textContent = ok ? 'Copied' : 'Copy failed — select the text';
    window.setTimeout(() => (btn.textContent = label), 2000);
  });
  return btn;
}

export function json(v: unknown): string {
  return JSON.stringify(v, null, 2);
}

// Status line for forms ("Saved", errors) announced to screen readers.
export function statusLine(): HTMLElement {
  return h('div', { class: 'status-line', role: 'status', 'aria-live': 'polite' });
}
