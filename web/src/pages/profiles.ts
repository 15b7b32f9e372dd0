// Profiles: find a person by email or customer id; their fields shown by kind, the hourly
// opens chart, the cio_events table, and the audiences they are in.
import { ApiError, call, enc, get, type Profile, type SchemaField } from '../api';
import { barChart } from '../charts';
import { h, mount, field } from '../dom';
import { navigate, type PageContext } from '../router';
import { chips, emptyState, errorBox, fmtNum, loading, pageHeader, section, table, timeEl, statusLine } from '../ui';

const SUB = 'People, built from events by the installed queries and joined by their identities.';
const IDENTITY_ORDER = ['email', 'cio_customer_id', 'cio_id'];

function searchForm(initialField = 'email', initialValue = ''): HTMLElement {
  const sel = h(
    'select',
    { name: 'by' },
    h('option', { value: 'email' }, 'Email'),
    h('option', { value: 'cio_customer_id' }, 'Customer id'),
    h('option', { value: 'cio_id' }, 'Customer.io id'),
  );
  sel.value = initialField;
  const input = h('input', { type: 'search', name: 'q', value: initialValue, required: true, placeholder: 'dana@example.org or a customer id', spellcheck: 'false' });
  const form = h(
    'form',
    { class: 'search', role: 'search', 'aria-label': 'Find a profile' },
    field('Find by', sel),
    field('Value', input),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, 'Find')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = input.value.trim();
    if (v) navigate(`/profiles/${enc(sel.value)}/${enc(v)}`);
  });
  return form;
}

function linkFor(p: Profile): string | null {
  for (const f of IDENTITY_ORDER) {
    const v = p[f];
    if (typeof v === 'string' && v) return `/profiles/${enc(f)}/${enc(v)}`;
  }
  for (const [k, v] of Object.entries(p)) {
    if (!k.startsWith('_') && typeof v === 'string' && v) return `/profiles/${enc(k)}/${enc(v)}`;
  }
  return null;
}

export async function profilesPage(root: HTMLElement, ctx: PageContext): Promise<void> {
  const list = h('div', null, loading('Loading profiles'));
  mount(root, pageHeader('Profiles', SUB), section('Find a profile', searchForm()), section('All profiles', list));
  const cursor = ctx.query.get('cursor');
  const res = await call<Profile[]>('GET', `/api/entity/user?limit=25${cursor ? `&cursor=${enc(cursor)}` : ''}`);
  if (!ctx.alive()) return;
  const rows = res.data ?? [];
  if (!rows.length && !cursor) {
    mount(
      list,
      emptyState(
        'No profiles yet — profiles are built from events by installed queries.',
        h('p', null, 'Set up the webhook and run ', h('strong', null, 'Import Webhook Events'), ' under ', h('a', { href: '/integrations/customerio' }, 'Integrations → Customer.io'), '; then every Customer.io event updates a profile.'),
      ),
    );
    return;
  }
  const next = res.meta?.next_cursor as string | undefined;
  mount(
    list,
    table(
      rows,
      [
        { label: 'Email', cell: (p) => profileLink(p, typeof p.email === 'string' ? p.email : '—') },
        { label: 'Customer id', cell: (p) => String(p.cio_customer_id ?? '—') },
        { label: 'Audiences', cell: (p) => fmtNum(p._segments?.length ?? 0), cls: 'num' },
        { label: 'Fields', cell: (p) => fmtNum(Object.keys(p).filter((k) => !k.startsWith('_')).length), cls: 'num' },
      ],
      'Profiles',
    ),
    h('nav', { class: 'pager', 'aria-label': 'Pages' }, cursor ? h('a', { href: '/profiles', class: 'button ghost' }, 'First page') : null, next ? h('a', { href: `/profiles?cursor=${enc(next)}`, class: 'button secondary' }, 'Next page') : null),
  );
}

function profileLink(p: Profile, text: string): HTMLElement {
  const href = linkFor(p);
  return href ? h('a', { href }, text) : h('span', null, text);
}

export async function profilePage(root: HTMLElement, ctx: PageContext): Promise<void> {
  const { field: by, value } = ctx.params;
  mount(root, pageHeader('Profiles', SUB), section('Find a profile', searchForm(by, value)), loading('Looking up the profile'));
  let res;
  try {
    res = await call<Profile>('GET', `/api/entity/user/${enc(by)}/${enc(value)}`);
  } catch (e) {
    if (!ctx.alive()) return;
    mount(
      root,
      pageHeader('Profiles', SUB),
      section('Find a profile', searchForm(by, value)),
      errorBox(e, e instanceof ApiError && e.status === 404 ? 'Not found' : 'Lookup failed'),
      e instanceof ApiError && e.status === 404 ? h('p', { class: 'muted' }, 'Check the spelling, or look through ', h('a', { href: '/profiles' }, 'all profiles'), '. Emails are matched in their normalised (lowercase) form.') : null,
    );
    return;
  }
  let schema: SchemaField[] = [];
  try {
    schema = await get<SchemaField[]>('/api/schema/user');
  } catch {
    // Kinds are then inferred from the values.
  }
  if (!ctx.alive()) return;
  const p = res.data;
  const kinds = new Map(schema.map((f) => [f.name, f]));
  const title = typeof p.email === 'string' ? p.email : `${by} = ${value}`;
  const ids = (res.meta?.identities ?? {}) as Record<string, string[]>;
  const hourly = p.cio_hourlyopens && typeof p.cio_hourlyopens === 'object' ? (p.cio_hourlyopens as Record<string, number>) : null;
  const events = p.cio_events && typeof p.cio_events === 'object' ? (p.cio_events as Record<string, number>) : null;
  const segs = p._segments ?? [];
  const fieldNames = Object.keys(p).filter((k) => !k.startsWith('_')).sort();
  const status = statusLine();

  const erase = h('button', { type: 'button', class: 'danger small' }, 'Erase profile');
  erase.addEventListener('click', async () => {
    if (!window.confirm(`Erase ${title}? Its fields, identities and audience memberships are deleted, and a rebuild will not bring it back.`)) return;
    try {
      await call('DELETE', `/api/entity/user/${enc(by)}/${enc(value)}`);
      mount(status, h('p', { class: 'ok' }, `Erased ${title}.`));
      erase.disabled = true;
    } catch (e) {
      mount(status, errorBox(e, 'Could not erase'));
    }
  });

  mount(
    root,
    pageHeader(title, ['Profile · identities: ', Object.keys(ids).length ? Object.entries(ids).map(([f, vs]) => h('span', { class: 'ident' }, h('code', null, f), ' ', vs.join(', '), ' ')) : (res.meta?.by_fields ?? []).join(', ')], h('a', { href: '/profiles', class: 'button ghost' }, '← All profiles')),
    section('Find a profile', searchForm(by, value)),
    h(
      'div',
      { class: 'grid2' },
      section(
        'Audiences',
        segs.length
          ? h('ul', { class: 'chips' }, segs.map((s) => h('li', { class: 'chip' }, h('a', { href: `/audiences/${enc(s)}` }, s))))
          : h('p', { class: 'muted' }, 'Not in any audience. ', h('a', { href: '/audiences/new' }, 'Create an audience'), ' to group people like this one.'),
      ),
      section(
        'Events by type',
        events && Object.keys(events).length
          ? table(
              Object.entries(events).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
              [
                { label: 'Event', cell: ([k]) => h('code', null, k) },
                { label: 'Count', cell: ([, v]) => fmtNum(v), cls: 'num' },
              ],
              'cio_events',
            )
          : h('p', { class: 'muted' }, 'No Customer.io events counted yet (field cio_events).'),
      ),
    ),
    section(
      'Email opens by hour of day (UTC)',
      hourly
        ? barChart(
            Array.from({ length: 24 }, (_, i) => {
              const v = Number(hourly[String(i)] ?? 0);
              return { label: String(i), value: v, title: `${String(i).padStart(2, '0')}:00–${String(i).padStart(2, '0')}:59 UTC: ${v} open${v === 1 ? '' : 's'}` };
            }),
            { label: 'Email opens by hour of day (UTC)', cls: 'hourly', height: 160 },
          )
        : h('p', { class: 'muted' }, 'No email opens yet (field cio_hourlyopens).'),
    ),
    section(
      'Fields',
      table(
        fieldNames,
        [
          { label: 'Field', cell: (n) => h('code', { title: kinds.get(n)?.shortdesc ?? '' }, n) },
          { label: 'Value', cell: (n) => renderValue(p[n], kinds.get(n)?.kind) },
          { label: 'Kind', cell: (n) => h('span', { class: 'muted mono' }, kinds.get(n)?.kind ?? inferKind(p[n])) },
        ],
        'Profile fields',
      ),
    ),
    h('div', { class: 'danger-zone' }, erase, status),
  );
}

function inferKind(v: unknown): string {
  if (Array.isArray(v)) return '[]string';
  if (v && typeof v === 'object') return 'map';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?Z$/.test(v)) return 'date';
  return 'string';
}

// One value by its kind: dates as local time (UTC on hover), sets as chips, maps as tables.
export function renderValue(v: unknown, kind?: string): HTMLElement {
  const k = kind ?? inferKind(v);
  if (v === null || v === undefined) return h('span', { class: 'muted' }, '—');
  if (k === 'date' && typeof v === 'string') return timeEl(v);
  if (k.startsWith('[]') || Array.isArray(v)) return chips(Array.isArray(v) ? v : [v]);
  if (k === 'map[string]time' && typeof v === 'object') {
    return h('dl', { class: 'kv' }, Object.entries(v as Record<string, unknown>).map(([mk, mv]) => [h('dt', null, mk), h('dd', null, timeEl(String(mv)))]));
  }
  if (typeof v === 'object') {
    return h('dl', { class: 'kv' }, Object.entries(v as Record<string, unknown>).map(([mk, mv]) => [h('dt', null, mk), h('dd', null, typeof mv === 'number' ? fmtNum(mv) : String(mv))]));
  }
  if (typeof v === 'boolean') return h('span', { class: `bool bool-${v}` }, v ? 'yes' : 'no');
  if (typeof v === 'number') return h('span', { class: 'mono' }, fmtNum(v));
  return h('span', null, String(v));
}
