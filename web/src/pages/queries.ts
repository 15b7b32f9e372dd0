// Queries: the installed mapping queries, highlighted; a workbench to validate, test and
// install one.
import { ApiError, call, get, type Profile, type QueryInfo } from '../api';
import { h, mount, field } from '../dom';
import { caretExcerpt, highlighted, withoutPosition } from '../highlight';
import type { PageContext } from '../router';
import { emptyState, errorBox, json, loading, pageHeader, section, statusLine } from '../ui';

const SUB = 'Mapping statements that turn events of a stream into user fields.';

const SAMPLE_EVENTS = `[
  {"event": "email_opened", "email": "dana.ortiz@example.org", "customer_id": "acct-4410", "timestamp": 1717250412}
]`;

export async function queriesPage(root: HTMLElement, ctx: PageContext): Promise<void> {
  const listBox = h('div', null, loading('Loading queries'));
  const bench = workbench();
  mount(root, pageHeader('Queries', SUB), section('Installed queries', listBox), section('Workbench', bench.el));
  const queries = await get<QueryInfo[]>('/api/query').catch((e) => {
    mount(listBox, errorBox(e, 'Could not list queries'));
    return null;
  });
  if (!ctx.alive() || !queries) return;
  if (!queries.length) {
    mount(
      listBox,
      emptyState(
        'No queries installed — run Import Webhook Events to install the default Customer.io query.',
        h('p', null, 'Go to ', h('a', { href: '/integrations/customerio' }, 'Integrations → Customer.io'), ', or write a query in the workbench below and install it.'),
      ),
    );
    return;
  }
  mount(
    listBox,
    queries.map((q) =>
      h(
        'article',
        { class: 'query' },
        h(
          'header',
          { class: 'query-head' },
          h('h3', null, q.alias),
          h('p', { class: 'muted' }, 'from ', h('code', null, q.from), ' into ', h('code', null, q.into), ' by ', h('code', null, (q.by ?? []).join(' OR ')), ` · ${q.fields?.length ?? 0} fields`),
          h('button', { type: 'button', class: 'secondary small', onclick: () => bench.load(q.text) }, 'Open in workbench'),
        ),
        highlighted(q.text),
      ),
    ),
  );
}

function workbench(): { el: HTMLElement; load: (text: string) => void } {
  const text = h('textarea', { name: 'query', rows: '12', spellcheck: 'false', class: 'code-input', placeholder: 'SELECT email(email) AS email KIND string\nFROM customerio_events INTO user BY email ALIAS my_query' });
  const events = h('textarea', { name: 'events', rows: '5', spellcheck: 'false', class: 'code-input' });
  events.value = SAMPLE_EVENTS;
  const preview = h('div');
  const out = h('div', { 'aria-live': 'polite' });
  const status = statusLine();

  const problem = (e: unknown) => {
    if (e instanceof ApiError && e.line !== undefined && e.column !== undefined) {
      mount(preview, highlighted(text.value, { line: e.line, column: e.column, message: e.message }));
      mount(
        out,
        h('div', { class: 'error', role: 'alert' }, h('strong', null, `Line ${e.line}, column ${e.column}: `), h('span', { class: 'error-message' }, withoutPosition(e.message)), h('pre', { class: 'caret' }, caretExcerpt(text.value, e.line, e.column))),
      );
    } else {
      mount(out, errorBox(e));
    }
  };

  const validate = async () => {
    try {
      const q = (await call<QueryInfo>('POST', '/api/query/_validate', text.value)).data;
      mount(preview, highlighted(text.value));
      mount(out, h('p', { class: 'ok' }, `✓ Valid: ${q.alias} from ${q.from} into ${q.into}, ${q.fields?.length ?? 0} fields.`));
    } catch (e) {
      problem(e);
    }
  };
  const test = async () => {
    let evs: unknown;
    try {
      evs = JSON.parse(events.value);
    } catch (e) {
      mount(out, errorBox(e, 'The events are not valid JSON'));
      return;
    }
    try {
      const profiles = (await call<Profile[]>('POST', '/api/query/_test', { query: text.value, events: Array.isArray(evs) ? evs : [evs] })).data;
      mount(preview, highlighted(text.value));
      mount(out, h('p', null, `These events alone make ${profiles.length} profile${profiles.length === 1 ? '' : 's'}:`), h('pre', { class: 'code json' }, json(profiles)));
    } catch (e) {
      problem(e);
    }
  };
  const install = async () => {
    try {
      const q = (await call<QueryInfo>('POST', '/api/query', text.value)).data;
      mount(status, h('p', { class: 'ok' }, `Installed ${q.alias}. `, q.job_id ? `Profiles are being rebuilt (job ${q.job_id}).` : ''));
    } catch (e) {
      problem(e);
    }
  };
  text.addEventListener('input', () => mount(preview, highlighted(text.value)));
  const el = h(
    'div',
    { class: 'workbench' },
    field('Query text', text),
    preview,
    field('Test events (JSON array)', events),
    h(
      'div',
      { class: 'form-actions' },
      h('button', { type: 'button', class: 'secondary', onclick: validate }, 'Validate'),
      h('button', { type: 'button', class: 'secondary', onclick: test }, 'Test'),
      h('button', { type: 'button', class: 'primary', onclick: install }, 'Install'),
    ),
    out,
    status,
  );
  return {
    el,
    load: (t: string) => {
      text.value = t;
      mount(preview, highlighted(t));
      mount(out);
      text.focus();
      text.scrollIntoView({ block: 'center' });
    },
  };
}
