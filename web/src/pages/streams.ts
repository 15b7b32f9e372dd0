// Streams: the list with counts; one stream's counts, events per minute, field catalogue and
// latest raw events.
import { get, enc, type StreamEvent, type StreamInfo } from '../api';
import { barChart, perMinute } from '../charts';
import { h, mount } from '../dom';
import type { PageContext } from '../router';
import { emptyState, errorBox, fmtBytes, fmtNum, json, loading, pageHeader, section, table, timeEl } from '../ui';

const SUB = 'Raw events, kept as they arrived. Webhooks write to them; processors and queries read them.';

export async function streamsPage(root: HTMLElement, ctx: PageContext): Promise<void> {
  mount(root, pageHeader('Streams', SUB), loading('Loading streams'));
  const streams = await get<StreamInfo[]>('/api/stream');
  if (!ctx.alive()) return;
  if (!streams.length) {
    mount(
      root,
      pageHeader('Streams', SUB),
      emptyState(
        "No streams yet — point Customer.io's webhook at this server.",
        h('p', null, 'Send events to ', h('code', null, `${location.origin}/collect/json/customerio?key=<collect token>`), '.'),
        h('p', null, h('a', { href: '/integrations/customerio', class: 'button primary' }, 'Set up Customer.io'), ' to get the exact URL with a collect token.'),
      ),
    );
    return;
  }
  const total = streams.reduce((a, s) => a + (s.event_count ?? 0), 0);
  mount(
    root,
    pageHeader('Streams', SUB),
    h('div', { class: 'stats' }, stat('Streams', fmtNum(streams.length)), stat('Events', fmtNum(total)), stat('Stored', fmtBytes(streams.reduce((a, s) => a + (s.bytes ?? 0), 0)))),
    section(
      'All streams',
      table(
        streams,
        [
          { label: 'Stream', cell: (s) => h('a', { href: `/streams/${enc(s.name)}` }, s.name) },
          { label: 'Events', cell: (s) => fmtNum(s.event_count), cls: 'num' },
          { label: 'Duplicates', cell: (s) => fmtNum(s.duplicate_count), cls: 'num' },
          { label: 'Rejected', cell: (s) => fmtNum(s.rejected_count), cls: 'num' },
          { label: 'Unmapped', cell: (s) => fmtNum(s.unmapped_count), cls: 'num' },
          { label: 'Last received', cell: (s) => timeEl(s.last_received) },
          { label: 'Size', cell: (s) => fmtBytes(s.bytes), cls: 'num' },
        ],
        'Streams',
      ),
    ),
  );
}

function stat(label: string, value: string): HTMLElement {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, value), h('div', { class: 'stat-label' }, label));
}

export async function streamPage(root: HTMLElement, ctx: PageContext): Promise<void> {
  const name = ctx.params.name;
  const head = () => pageHeader(`Stream ${name}`, SUB, h('a', { href: '/streams', class: 'button ghost' }, '← All streams'));
  mount(root, head(), loading('Loading the stream'));
  const [info, events] = await Promise.all([
    get<StreamInfo>(`/api/stream/${enc(name)}`),
    get<StreamEvent[]>(`/api/stream/${enc(name)}/events?limit=500`),
  ]);
  if (!ctx.alive()) return;
  const bars = perMinute(events.map((e) => new Date(e.received_at)));
  const fields = [...(info.fields ?? [])].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  const latest = h('div');
  let oldest = events.length ? events[events.length - 1].seq : undefined;
  const drawEvents = (list: StreamEvent[]) =>
    latest.append(
      ...list.map((e) =>
        h(
          'details',
          { class: 'event' },
          h('summary', null, h('span', { class: 'seq' }, `#${e.seq}`), ' ', timeEl(e.received_at), ' ', h('span', { class: 'muted' }, summary(e.event))),
          h('pre', { class: 'code json' }, json(e.event)),
        ),
      ),
    );
  drawEvents(events.slice(0, 50));
  const more = h('button', { type: 'button', class: 'secondary' }, 'Older events');
  let shown = Math.min(50, events.length);
  more.addEventListener('click', async () => {
    if (shown < events.length) {
      drawEvents(events.slice(shown, shown + 50));
      shown = Math.min(shown + 50, events.length);
      return;
    }
    try {
      const page = await get<StreamEvent[]>(`/api/stream/${enc(name)}/events?limit=50&before=${oldest}`);
      if (!page.length) {
        more.replaceWith(h('p', { class: 'muted' }, 'That was the first event.'));
        return;
      }
      oldest = page[page.length - 1].seq;
      drawEvents(page);
    } catch (e) {
      latest.append(errorBox(e, 'Could not load older events'));
    }
  });

  mount(
    root,
    head(),
    h(
      'div',
      { class: 'stats' },
      stat('Events', fmtNum(info.event_count)),
      stat('Duplicates', fmtNum(info.duplicate_count)),
      stat('Rejected', fmtNum(info.rejected_count)),
      stat('Unmapped', fmtNum(info.unmapped_count)),
      stat('Size', fmtBytes(info.bytes)),
    ),
    h('p', { class: 'muted' }, 'First received ', timeEl(info.first_received), ' · last received ', timeEl(info.last_received)),
    section(
      'Events per minute',
      bars.length
        ? [barChart(bars, { label: 'Events per minute', cls: 'per-minute', labelWidth: 72 }), h('p', { class: 'hint' }, `From the latest ${fmtNum(events.length)} events, by the minute they were received (local time).`)]
        : emptyState('No events in this stream yet.'),
    ),
    section(
      'Field catalogue',
      fields.length
        ? table(
            fields,
            [
              { label: 'Field', cell: (f) => h('code', null, f.name) },
              { label: 'Seen in', cell: (f) => fmtNum(f.count), cls: 'num' },
              { label: 'Sample values', cell: (f) => h('ul', { class: 'chips' }, (f.samples ?? []).map((v) => sampleChip(typeof v === 'string' ? v : JSON.stringify(v)))) },
            ],
            'Field catalogue',
          )
        : h('p', { class: 'muted' }, 'No fields seen yet.'),
    ),
    section('Latest raw events', events.length ? [latest, events.length >= 50 ? more : null] : emptyState('No events yet.')),
  );
}

function summary(ev: Record<string, unknown>): string {
  const bits: string[] = [];
  for (const k of ['object_type', 'metric', 'event', 'event_type', 'email', 'customer_id']) {
    const v = ev[k];
    if (typeof v === 'string' || typeof v === 'number') bits.push(`${k}=${v}`);
  }
  const data = ev.data as Record<string, unknown> | undefined;
  if (data && typeof data === 'object' && typeof data.recipient === 'string') bits.push(`recipient=${data.recipient}`);
  return bits.join(' · ');
}

// Long samples (whole nested objects) are cut, with the full text on hover.
function sampleChip(text: string): HTMLElement {
  const cut = text.length > 80 ? text.slice(0, 79) + '…' : text;
  return h('li', { class: 'chip mono', title: cut === text ? null : text }, cut);
}
