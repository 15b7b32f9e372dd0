// Audiences: the list with sizes; the builder (validation at the error's position and a live
// size while typing); one audience's members, export, enter/exit history and webhook.
import { ApiError, call, enc, get, send, type Profile, type Segment, type SegmentChange } from '../api';
import { enterExitChart, type EnterExit } from '../charts';
import { debounce, h, mount, field } from '../dom';
import { caretExcerpt, highlighted, withoutPosition } from '../highlight';
import { navigate, type PageContext } from '../router';
import { badge, emptyState, errorBox, fmtNum, loading, pageHeader, section, statusLine, table, timeEl, unavailable } from '../ui';

const SUB = 'Named filters over profiles, kept up to date as profiles change and as time passes.';
const EXAMPLE = 'FILTER cio_events.email_opened > 0';

function sizeText(n: number): string {
  return `${fmtNum(n)} ${n === 1 ? 'profile' : 'profiles'}`;
}

async function segmentSize(slug: string): Promise<number | null> {
  try {
    const d = await get<{ size: number }>(`/api/segment/${enc(slug)}/size`);
    return typeof d?.size === 'number' ? d.size : null;
  } catch {
    return null;
  }
}

export async function audiencesPage(root: HTMLElement, ctx: PageContext): Promise<void> {
  const newBtn = h('a', { href: '/audiences/new', class: 'button primary' }, 'New audience');
  mount(root, pageHeader('Audiences', SUB, newBtn), loading('Loading audiences'));
  let list: Segment[];
  try {
    list = await get<Segment[]>('/api/segment');
  } catch (e) {
    if (!ctx.alive()) return;
    mount(root, pageHeader('Audiences', SUB), e instanceof ApiError && e.notFound ? unavailable('Audiences', e) : errorBox(e, 'Could not list audiences'));
    return;
  }
  if (!ctx.alive()) return;
  if (!list.length) {
    mount(
      root,
      pageHeader('Audiences', SUB, newBtn),
      emptyState(
        'No audiences yet — create one with New audience.',
        h('p', null, 'For example ', h('code', null, EXAMPLE), ' is everyone who opened an email, and ', h('code', null, 'FILTER cio_last_open_ts > "now-7d"'), ' everyone who opened one in the last week.'),
      ),
    );
    return;
  }
  const sizes = new Map<string, HTMLElement>();
  mount(
    root,
    pageHeader('Audiences', SUB, newBtn),
    section(
      'All audiences',
      table(
        list,
        [
          { label: 'Audience', cell: (s) => h('a', { href: `/audiences/${enc(s.slug)}` }, s.name || s.slug) },
          { label: 'Slug', cell: (s) => h('code', null, s.slug) },
          {
            label: 'Size',
            cls: 'num',
            cell: (s) => {
              const el = h('span', { class: 'size' }, typeof s.size === 'number' ? sizeText(s.size) : '…');
              sizes.set(s.slug, el);
              return el;
            },
          },
          { label: 'Description', cell: (s) => s.description || h('span', { class: 'muted' }, '—') },
        ],
        'Audiences',
      ),
    ),
  );
  for (const s of list) {
    if (typeof s.size === 'number') continue;
    void segmentSize(s.slug).then((n) => {
      const el = sizes.get(s.slug);
      if (el) el.textContent = n === null ? '—' : sizeText(n);
    });
  }
}

function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
}

export async function audienceNewPage(root: HTMLElement, ctx: PageContext): Promise<void> {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '120', placeholder: 'Opened an email' });
  const slug = h('input', { type: 'text', name: 'slug', required: true, pattern: '[a-z0-9_]{1,64}', maxlength: '64', placeholder: 'opened_an_email', spellcheck: 'false' });
  const desc = h('input', { type: 'text', name: 'description', maxlength: '500' });
  const filter = h('textarea', { name: 'filter', rows: '5', required: true, spellcheck: 'false', placeholder: EXAMPLE, class: 'code-input' });
  const preview = h('div', { class: 'preview' });
  const problems = h('div', { class: 'problems', 'aria-live': 'polite' });
  const size = h('div', { class: 'live-size', 'aria-live': 'polite', 'data-testid': 'live-size' }, h('span', { class: 'muted' }, 'Type a filter to see how many profiles match.'));
  const status = statusLine();
  let slugEdited = false;
  name.addEventListener('input', () => {
    if (!slugEdited) slug.value = slugify(name.value);
  });
  slug.addEventListener('input', () => (slugEdited = true));

  let seq = 0;
  const check = debounce(async () => {
    const text = filter.value;
    const mine = ++seq;
    if (!text.trim()) {
      mount(preview);
      mount(problems);
      mount(size, h('span', { class: 'muted' }, 'Type a filter to see how many profiles match.'));
      return;
    }
    mount(size, h('span', { class: 'muted' }, 'Counting…'));
    try {
      await call('POST', '/api/segment/validate', text);
      if (mine !== seq) return;
      mount(preview, highlighted(text));
      mount(problems, h('p', { class: 'ok' }, '✓ Valid filter'));
    } catch (e) {
      if (mine !== seq) return;
      showProblem(text, e);
      mount(size, h('span', { class: 'muted' }, '— profiles (fix the filter first)'));
      return;
    }
    try {
      const d = (await call<{ size: number }>('POST', '/api/segment/size', text)).data;
      if (mine !== seq) return;
      mount(size, h('strong', null, sizeText(d.size)), h('span', { class: 'muted' }, ' match now'));
    } catch (e) {
      if (mine !== seq) return;
      mount(size, errorBox(e, 'Could not count'));
    }
  }, 250);

  function showProblem(text: string, e: unknown): void {
    if (e instanceof ApiError && e.line !== undefined && e.column !== undefined) {
      mount(preview, highlighted(text, { line: e.line, column: e.column, message: e.message }));
      mount(
        problems,
        h(
          'div',
          { class: 'error', role: 'alert' },
          h('strong', null, `Line ${e.line}, column ${e.column}: `),
          h('span', { class: 'error-message' }, withoutPosition(e.message)),
          h('pre', { class: 'caret' }, caretExcerpt(text, e.line, e.column)),
        ),
      );
    } else {
      mount(preview, highlighted(text));
      mount(problems, e instanceof ApiError && e.notFound ? unavailable('Audience checks', e) : errorBox(e, 'Could not check the filter'));
    }
  }
  filter.addEventListener('input', () => check());

  const form = h(
    'form',
    { class: 'builder', 'aria-label': 'New audience' },
    h('div', { class: 'grid2' }, field('Name', name), field('Slug', slug, 'a-z, 0-9 and _; used in URLs and INCLUDE.')),
    field('Description', desc),
    field('Filter', filter, ['The audience language: ', h('code', null, 'FILTER AND (cio_events.email_opened > 2, cio_channels INTERSECTS ("email"))'), '. Errors are shown at their position as you type.']),
    preview,
    problems,
    size,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save audience'), h('a', { href: '/audiences', class: 'button ghost' }, 'Cancel')),
    status,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { name: name.value.trim(), slug: slug.value.trim() || slugify(name.value), segment_ql: filter.value, description: desc.value.trim() };
    try {
      const res = await call<Segment>('POST', '/api/segment', body);
      const saved = res.data?.slug ?? body.slug;
      navigate(`/audiences/${enc(saved)}`);
    } catch (e) {
      if (e instanceof ApiError && e.line !== undefined) showProblem(filter.value, e);
      mount(status, errorBox(e, 'Could not save the audience'));
    }
  });
  mount(root, pageHeader('New audience', SUB), section('Audience builder', form));
  if (ctx.query.get('filter')) {
    filter.value = ctx.query.get('filter')!;
    check();
  }
  name.focus();
}

export async function audiencePage(root: HTMLElement, ctx: PageContext): Promise<void> {
  const slug = ctx.params.slug;
  const back = h('a', { href: '/audiences', class: 'button ghost' }, '← All audiences');
  mount(root, pageHeader(slug, SUB, back), loading('Loading the audience'));
  let seg: Segment;
  try {
    seg = await get<Segment>(`/api/segment/${enc(slug)}`);
  } catch (e) {
    if (!ctx.alive()) return;
    mount(root, pageHeader(slug, SUB, back), e instanceof ApiError && e.notFound && /no route/i.test(e.message) ? unavailable('Audiences', e) : errorBox(e, 'Could not load the audience'));
    return;
  }
  if (!ctx.alive()) return;
  const sizeEl = h('span', { class: 'size', 'data-testid': 'audience-size' }, typeof seg.size === 'number' ? sizeText(seg.size) : '…');
  if (typeof seg.size !== 'number') void segmentSize(slug).then((n) => (sizeEl.textContent = n === null ? '—' : sizeText(n)));
  const members = h('div', null, loading('Loading members'));
  const history = h('div', null, loading('Loading history'));
  const hook = h('div');
  const status = statusLine();
  const del = h('button', { type: 'button', class: 'danger small' }, 'Delete audience');
  del.addEventListener('click', async () => {
    if (!window.confirm(`Delete the audience ${seg.name || slug}?`)) return;
    try {
      await call('DELETE', `/api/segment/${enc(slug)}`);
      navigate('/audiences');
    } catch (e) {
      mount(status, errorBox(e, 'Could not delete'));
    }
  });
  mount(
    root,
    pageHeader(seg.name || slug, [h('code', null, slug), ' · ', sizeEl, seg.description ? ` · ${seg.description}` : ''], back),
    section('Filter', highlighted(String(seg.segment_ql ?? seg.filter ?? seg.text ?? ''))),
    section('Members', members),
    section('Export', h('p', null, 'Every member, streamed: ', exportLink(slug, 'csv'), ' ', exportLink(slug, 'ndjson'))),
    section('Enter and exit history', history),
    section('Webhook', hook),
    h('div', { class: 'danger-zone' }, del, status),
  );
  void loadMembers(members, slug, ctx);
  void loadHistory(history, slug, ctx);
  renderWebhook(hook, seg);
}

function exportLink(slug: string, format: 'csv' | 'ndjson'): HTMLElement {
  const href = `/api/segment/${enc(slug)}/export?format=${format}`;
  const a = h('a', { href, download: `${slug}.${format}`, class: 'button secondary' }, `Export ${format.toUpperCase()}`);
  // The export needs the token in a header, so fetch it and hand the browser a file.
  a.addEventListener('click', async (ev) => {
    ev.preventDefault();
    try {
      const res = await send('GET', href);
      if (!res.ok) {
        let msg = `the server answered ${res.status}`;
        try {
          msg = (await res.json()).message ?? msg;
        } catch {
          /* not JSON */
        }
        throw new ApiError(msg, res.status);
      }
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const tmp = h('a', { href: url, download: `${slug}.${format}` });
      document.body.append(tmp);
      tmp.click();
      tmp.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      a.after(errorBox(e, 'Export failed'));
    }
  });
  return a;
}

async function loadMembers(box: HTMLElement, slug: string, ctx: PageContext, cursor?: string): Promise<void> {
  try {
    const res = await call<Profile[] | { members: Profile[] }>('GET', `/api/segment/${enc(slug)}/scan?limit=50${cursor ? `&cursor=${enc(cursor)}` : ''}`);
    if (!ctx.alive()) return;
    const rows = Array.isArray(res.data) ? res.data : res.data?.members ?? [];
    const next = res.meta?.next_cursor as string | undefined;
    if (!rows.length && !cursor) {
      mount(box, emptyState('Nobody is in this audience yet.', h('p', null, 'Members appear as soon as profiles match the filter; check the live size in the builder.')));
      return;
    }
    const link = (p: Profile) => {
      for (const f of ['email', 'cio_customer_id', 'cio_id']) if (typeof p[f] === 'string') return `/profiles/${f}/${enc(p[f] as string)}`;
      return null;
    };
    const t = table(
      rows,
      [
        {
          label: 'Email',
          cell: (p) => {
            const href = link(p);
            const text = typeof p.email === 'string' ? p.email : '—';
            return href ? h('a', { href }, text) : text;
          },
        },
        { label: 'Customer id', cell: (p) => String(p.cio_customer_id ?? '—') },
        { label: 'Last active', cell: (p) => timeEl(typeof p.last_active_ts === 'string' ? p.last_active_ts : null) },
      ],
      'Members',
    );
    if (cursor) box.querySelector('.pager')?.remove();
    if (cursor) box.append(t);
    else mount(box, t);
    if (next) {
      const more = h('button', { type: 'button', class: 'secondary' }, 'More members');
      more.addEventListener('click', () => loadMembers(box, slug, ctx, next));
      box.append(h('div', { class: 'pager' }, more));
    }
  } catch (e) {
    mount(box, errorBox(e, 'Could not list members'));
  }
}

async function loadHistory(box: HTMLElement, slug: string, ctx: PageContext): Promise<void> {
  try {
    const data = await get<SegmentChange[] | { changes: SegmentChange[] }>(`/api/segment/${enc(slug)}/changes`);
    if (!ctx.alive()) return;
    const changes = Array.isArray(data) ? data : data?.changes ?? [];
    if (!changes.length) {
      mount(box, h('p', { class: 'muted' }, 'No one has entered or left yet.'));
      return;
    }
    mount(
      box,
      enterExitChart(bucketChanges(changes), { label: 'Enters and exits' }),
      h('p', { class: 'legend' }, h('span', { class: 'swatch enter' }), ' entered ', h('span', { class: 'swatch exit' }), ' exited'),
      table(
        changes.slice(-20).reverse(),
        [
          { label: 'When', cell: (c) => timeEl(c.at) },
          { label: 'Change', cell: (c) => badge(c.change) },
          { label: 'Who', cell: (c) => c.email ?? c.profile ?? '—' },
          { label: 'Why', cell: (c) => c.reason ?? '' },
        ],
        'Latest changes',
      ),
    );
  } catch (e) {
    mount(box, errorBox(e, 'Could not load the history'));
  }
}

// Hourly buckets over the last day (at least 24 bars, so one busy hour is not one wide
// block), daily ones when the history spans more than two days.
function bucketChanges(changes: SegmentChange[]): EnterExit[] {
  const times = changes.map((c) => new Date(c.at).getTime()).filter((t) => !Number.isNaN(t));
  if (!times.length) return [];
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const step = hi - lo <= 48 * 3600e3 ? 3600e3 : 86400e3;
  const last = Math.floor(hi / step);
  const first = Math.min(Math.floor(lo / step), last - (step === 3600e3 ? 23 : 13));
  const rows: EnterExit[] = [];
  for (let b = first; b <= last; b++) {
    const d = new Date(b * step);
    const label = step === 3600e3 ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
    rows.push({ label, enter: 0, exit: 0, title: step === 3600e3 ? d.toLocaleString() : d.toLocaleDateString() });
  }
  for (const c of changes) {
    const t = new Date(c.at).getTime();
    if (Number.isNaN(t)) continue;
    const row = rows[Math.floor(t / step) - first];
    if (c.change === 'exit') row.exit++;
    else row.enter++;
  }
  return rows.slice(-60);
}

function renderWebhook(box: HTMLElement, seg: Segment): void {
  const wh = (seg.webhook ?? null) as Record<string, unknown> | null;
  const url = h('input', { type: 'url', name: 'webhook-url', placeholder: 'https://example.com/hooks/cohort', value: typeof wh?.url === 'string' ? wh.url : '' });
  const secret = h('input', { type: 'password', name: 'webhook-secret', autocomplete: 'off' });
  const status = statusLine();
  const state =
    wh && typeof wh.url === 'string' && wh.url
      ? h(
          'p',
          null,
          badge(String(wh.state ?? 'configured'), wh.state === 'delivered' ? 'ok' : wh.state === 'retrying' ? 'failed' : 'running'),
          ' Sending to ',
          h('code', null, wh.url),
          typeof wh.pending === 'number' ? ` · ${fmtNum(wh.pending)} change${wh.pending === 1 ? '' : 's'} waiting` : '',
          typeof wh.failed_attempts === 'number' && wh.failed_attempts ? ` · ${fmtNum(wh.failed_attempts)} failed attempts` : '',
          wh.last_success ? [' · last delivered ', timeEl(String(wh.last_success))] : '',
          wh.last_error ? h('span', { class: 'error-message' }, ` · last error: ${String(wh.last_error)}`) : '',
          wh.secret_set ? ' · signed' : ' · unsigned (no secret)',
        )
      : h('p', { class: 'muted' }, 'No webhook: enter and exit changes are kept in the history only.');
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Webhook' },
    field('Webhook URL', url, 'Each enter and exit is POSTed here as JSON, signed with X-Cohort-Signature, retried until acknowledged.'),
    field('Secret', secret, 'Used to sign deliveries; write-only.'),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save webhook')),
    status,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await call('PUT', `/api/segment/${enc(seg.slug)}/webhook`, { url: url.value.trim(), secret: secret.value });
      secret.value = '';
      mount(status, h('p', { class: 'ok' }, 'Saved.'));
    } catch (e) {
      mount(status, errorBox(e, 'Could not save the webhook'));
    }
  });
  mount(box, state, form);
}
