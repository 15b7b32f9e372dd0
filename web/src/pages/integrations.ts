// Integrations: the catalogue, and the Customer.io page (webhook URL with a collect token,
// signing key, setup steps, workflows with live progress).
import { ApiError, call, get, type Integration, type Job, type StreamConfig, type Token, type WorkflowDef } from '../api';
import { h, mount, field } from '../dom';
import type { PageContext } from '../router';
import { badge, copyButton, errorBox, fmtNum, loading, pageHeader, section, statusLine, table, timeEl } from '../ui';

// What the server's catalogue says (GET /api/integration, SPEC §2.7). Used as-is when that
// API is not on this server yet, so the setup help is still there.
const CUSTOMERIO_FALLBACK: Integration = {
  id: 'customerio',
  name: 'Customer.io',
  description:
    'Import Customer.io reporting webhook events (email, SMS, push, Slack, webhook and in-app activity) and turn them into user fields.',
  webhook_path: '/collect/json/customerio',
  setup_steps: [
    'Create a collect token (here, or in Account Settings → API tokens, role collect).',
    'In Customer.io open Data & Integrations → Reporting Webhooks → Add Reporting Webhook.',
    'Paste the webhook URL shown here (it carries the collect token as ?key=).',
    'Choose the events to send (all of them is best) and save the webhook.',
    "Optional: copy the webhook's signing key into the signing key setting here, so Cohort verifies X-CIO-Signature on every request.",
    'Start the Import Webhook Events workflow with its box ticked.',
  ],
  workflows: [
    {
      id: 'import_webhook_events',
      name: 'Import Webhook Events',
      description:
        'Installs the default Customer.io query (customerio_events_user) and builds profiles from every Customer.io event already stored; new events keep them current.',
      options: [{ id: 'webhook_configured', label: 'I have set up the Customer.io webhook', type: 'bool', required: true }],
    },
  ],
};

async function catalogue(): Promise<{ list: Integration[]; missing?: ApiError }> {
  try {
    const data = await get<Integration[] | { integrations: Integration[] }>('/api/integration');
    const list = Array.isArray(data) ? data : data?.integrations ?? [];
    return { list: list.length ? list : [CUSTOMERIO_FALLBACK] };
  } catch (e) {
    if (e instanceof ApiError && e.notFound) return { list: [CUSTOMERIO_FALLBACK], missing: e };
    throw e;
  }
}

export async function integrationsPage(root: HTMLElement, ctx: PageContext): Promise<void> {
  mount(root, pageHeader('Integrations', 'Connect a source of events. Each integration has a setup guide and workflows.'), loading('Loading integrations'));
  const { list } = await catalogue();
  if (!ctx.alive()) return;
  mount(
    root,
    pageHeader('Integrations', 'Connect a source of events. Each integration has a setup guide and workflows.'),
    h(
      'ul',
      { class: 'tiles' },
      list.map((i) =>
        h(
          'li',
          null,
          h(
            'a',
            { class: 'tile', href: `/integrations/${i.id}` },
            h('span', { class: `tile-logo logo-${i.id}`, 'aria-hidden': 'true' }, i.name.slice(0, 2)),
            h('span', { class: 'tile-name' }, i.name),
            h('span', { class: 'tile-desc' }, i.description ?? ''),
          ),
        ),
      ),
    ),
  );
}

// Collect tokens created on this page, with their secrets, for as long as the tab lives
// (never stored). Existing tokens' secrets cannot be shown again.
const createdHere: Token[] = [];

export async function customerioPage(root: HTMLElement, ctx: PageContext): Promise<void> {
  mount(root, pageHeader('Customer.io'), loading('Loading the Customer.io integration'));
  const { list, missing } = await catalogue();
  if (!ctx.alive()) return;
  const integ = list.find((i) => i.id === 'customerio') ?? CUSTOMERIO_FALLBACK;

  const urlSection = h('div', null, loading('Loading collect tokens'));
  const keySection = h('div', null, loading('Loading the stream settings'));
  const wfSection = h('div');

  mount(
    root,
    pageHeader('Customer.io', integ.description, h('a', { href: '/integrations', class: 'button ghost' }, '← All integrations')),
    section('Webhook URL', h('p', null, 'Paste this URL into Customer.io as a Reporting Webhook. It sends events to the ', h('code', null, 'customerio'), ' stream with a collect token as ', h('code', null, '?key='), '.'), urlSection),
    section('Signing key', keySection),
    section('Setup steps', h('ol', { class: 'steps' }, (integ.setup_steps ?? CUSTOMERIO_FALLBACK.setup_steps!).map((s) => h('li', null, s)))),
    section('Workflows', wfSection),
  );

  renderWebhookUrl(urlSection, integ, ctx);
  renderSigningKey(keySection);
  renderWorkflows(wfSection, integ, missing, ctx);
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/;

// The server's template (<base>/collect/json/customerio?key=<collect token>) with the token
// filled in. The server knows its configured base URL; but when it only knows a loopback
// address and this page was reached by another name, the name in the address bar is the one
// Customer.io can reach.
export function webhookUrl(integ: Integration, token: string | null): string {
  const key = token ? encodeURIComponent(token) : '<collect token>';
  const path = integ.webhook_path ?? '/collect/json/customerio';
  const base = location.origin;
  const tpl = integ.webhook_url_template;
  if (tpl) {
    try {
      const u = new URL(tpl.replace(/<[^>]*>/g, 'x'));
      if (!(LOOPBACK.test(u.hostname) && !LOOPBACK.test(location.hostname))) {
        return tpl.replace('<collect token>', key).replace('<base>', location.origin);
      }
    } catch {
      // A template that is not a URL: build it ourselves.
    }
    const m = tpl.match(/^[a-z]+:\/\/[^/]+(\/[^?]*)/i);
    if (m) return `${base}${m[1]}?key=${key}`;
  }
  return `${base}${path}?key=${key}`;
}

async function renderWebhookUrl(box: HTMLElement, integ: Integration, ctx: PageContext, notice?: HTMLElement): Promise<void> {
  let existing: Token[] = [];
  let listError: unknown = null;
  try {
    existing = (await get<Token[]>('/api/token')).filter((t) => t.role === 'collect');
  } catch (e) {
    listError = e; // e.g. a read token may not list tokens; creating is still offered
  }
  if (!ctx.alive()) return;
  const status = statusLine();
  const select = h('select', { name: 'collect-token' });
  const options: { id: string; label: string; secret: string | null }[] = [
    ...createdHere.map((t) => ({ id: t.id, label: `${t.name} (created just now)`, secret: t.token ?? null })),
    ...existing.filter((t) => !createdHere.some((c) => c.id === t.id)).map((t) => ({ id: t.id, label: `${t.name || t.id} (secret not shown again)`, secret: null })),
  ];
  for (const o of options) select.append(h('option', { value: o.id }, o.label));
  const urlCode = h('code', { class: 'url', 'data-testid': 'webhook-url' });
  const hint = h('p', { class: 'hint' });
  const current = () => options.find((o) => o.id === select.value) ?? null;
  const update = () => {
    const o = current();
    urlCode.textContent = webhookUrl(integ, o?.secret ?? null);
    hint.textContent = !o
      ? 'Create a collect token to complete the URL.'
      : o.secret
        ? 'This is the exact URL, with the token. It is shown only while this tab is open — copy it now.'
        : "The secret of an existing token can't be shown again: put it in place of <collect token>, or create a new collect token here.";
  };
  select.addEventListener('change', update);

  const name = h('input', { type: 'text', name: 'collect-name', value: 'customerio-webhook', maxlength: '64' });
  const createForm = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Create a collect token' },
    field('New collect token name', name),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create collect token')),
  );
  createForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const t = (await call<Token>('POST', '/api/token', { name: name.value.trim() || 'customerio-webhook', role: 'collect' })).data;
      createdHere.unshift(t);
      await renderWebhookUrl(box, integ, ctx, h('p', { class: 'ok' }, `Collect token "${t.name}" created. Its secret is in the URL below and is shown once.`));
      (box.querySelector('.copy') as HTMLElement | null)?.focus();
    } catch (e) {
      mount(status, errorBox(e, 'Could not create the collect token'));
    }
  });

  mount(
    box,
    options.length
      ? field('Collect token', select, 'Which token Customer.io will send with its events.')
      : h('p', { class: 'notice' }, 'No collect token yet — create one here; the URL below then carries it.'),
    listError ? errorBox(listError, 'Could not list tokens') : null,
    h('div', { class: 'copy-row' }, urlCode, copyButton(() => urlCode.textContent ?? '', 'Copy URL')),
    hint,
    createForm,
    status,
  );
  if (notice) status.append(notice);
  update();
}

async function renderSigningKey(box: HTMLElement): Promise<void> {
  const state = h('p');
  const status = statusLine();
  const show = (cfg: StreamConfig) => {
    mount(
      state,
      cfg.signing_key_set
        ? [badge('set', 'ok'), ' A signing key is set: every request must carry a valid X-CIO-Signature.']
        : [badge('not set', 'muted'), ' No signing key: requests are accepted with the collect token alone.'],
    );
  };
  try {
    show(await get<StreamConfig>('/api/stream/customerio/config'));
  } catch (e) {
    mount(state, errorBox(e, 'Could not read the stream settings'));
  }
  const input = h('input', { type: 'password', name: 'signing-key', autocomplete: 'off', spellcheck: 'false' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Signing key' },
    field('Signing key', input, "From Customer.io's webhook settings. Write-only: it is never shown again."),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save signing key')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const cfg = (await call<StreamConfig>('PUT', '/api/stream/customerio/config', { signing_key: input.value })).data;
      input.value = '';
      show(cfg && typeof cfg === 'object' ? cfg : { signing_key_set: true });
      mount(status, h('p', { class: 'ok' }, 'Saved.'));
    } catch (e) {
      mount(status, errorBox(e, 'Could not save the signing key'));
    }
  });
  mount(box, state, form, status);
}

function runTitle(integ: Integration, id?: string): string {
  return (integ.workflows ?? []).find((w) => w.id === id)?.name ?? id ?? 'workflow';
}

async function renderWorkflows(box: HTMLElement, integ: Integration, missing: ApiError | undefined, ctx: PageContext): Promise<void> {
  const runs = h('div');
  const wizard = h('div', { class: 'wizard' });
  const newBtn = h('button', { type: 'button', class: 'primary', 'aria-expanded': 'false' }, 'New workflow');
  newBtn.addEventListener('click', () => {
    newBtn.setAttribute('aria-expanded', 'true');
    chooseWorkflow();
  });
  mount(box, h('div', { class: 'toolbar' }, newBtn), wizard, runs);

  const loadRuns = async () => {
    try {
      const list = await get<Job[]>('/api/workflow');
      if (!ctx.alive()) return;
      const mine = (Array.isArray(list) ? list : []).filter((r) => !r.integration || r.integration === integ.id);
      mount(
        runs,
        mine.length
          ? table(
              mine,
              [
                { label: 'Workflow', cell: (r) => runTitle(integ, r.workflow) },
                { label: 'Status', cell: (r) => badge(r.status) },
                { label: 'Progress', cell: (r) => (r.progress ? `${fmtNum(r.progress.done)} / ${fmtNum(r.progress.total)}` : '—') },
                { label: 'Started', cell: (r) => timeEl(r.started) },
                { label: 'Finished', cell: (r) => timeEl(r.finished ?? null) },
              ],
              'Workflow runs',
            )
          : h('p', { class: 'muted' }, 'No workflow has run yet — start Import Webhook Events with New workflow once the webhook is set up.'),
      );
    } catch (e) {
      mount(runs, e instanceof ApiError && e.notFound ? h('p', { class: 'muted' }, 'Past runs will be listed here once this server has the workflow API.') : errorBox(e, 'Could not list runs'));
    }
  };
  void loadRuns();
  if (missing) runs.before(h('p', { class: 'notice' }, 'This server does not have the integration catalogue yet (', missing.message, '); the guide above is built in.'));

  function chooseWorkflow(): void {
    const defs = integ.workflows ?? [];
    mount(
      wizard,
      h('h3', null, 'Choose a workflow'),
      h(
        'ul',
        { class: 'choices' },
        defs.map((w) =>
          h('li', null, h('button', { type: 'button', class: 'choice', onclick: () => configure(w) }, h('strong', null, w.name), h('span', { class: 'muted' }, w.description ?? ''))),
        ),
      ),
      h('button', { type: 'button', class: 'ghost', onclick: () => { mount(wizard); newBtn.setAttribute('aria-expanded', 'false'); newBtn.focus(); } }, 'Cancel'),
    );
    (wizard.querySelector('.choice') as HTMLElement | null)?.focus();
  }

  function configure(w: WorkflowDef): void {
    const boxes = (w.options ?? []).map((o) => ({ o, input: h('input', { type: 'checkbox', name: o.id, id: `opt-${o.id}` }) }));
    const start = h('button', { type: 'submit', class: 'primary', disabled: boxes.some((b) => b.o.required) }, 'Start Import');
    if (!/import/i.test(w.name)) start.textContent = `Start ${w.name}`;
    const sync = () => (start.disabled = boxes.some((b) => b.o.required && !b.input.checked));
    const status = statusLine();
    const form = h(
      'form',
      { class: 'inline-form', 'aria-label': w.name },
      h('h3', null, w.name),
      w.description ? h('p', null, w.description) : null,
      boxes.map((b) => {
        b.input.addEventListener('change', sync);
        return h('div', { class: 'check' }, b.input, h('label', { for: b.input.id }, b.o.label), b.o.required ? h('span', { class: 'muted' }, ' (required)') : null);
      }),
      h('div', { class: 'form-actions' }, start, h('button', { type: 'button', class: 'ghost', onclick: chooseWorkflow }, 'Back')),
      status,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (start.disabled) return;
      const config: Record<string, boolean> = {};
      for (const b of boxes) config[b.o.id] = b.input.checked;
      start.disabled = true;
      try {
        const run = (await call<Job>('POST', '/api/workflow', { integration: integ.id, workflow: w.id, config })).data;
        newBtn.setAttribute('aria-expanded', 'false');
        await follow(run, w);
      } catch (e) {
        start.disabled = false;
        mount(status, errorBox(e, 'Could not start the workflow'));
      }
    });
    mount(wizard, form);
    boxes[0]?.input.focus();
  }

  // Live progress: poll the run until it is no longer running.
  async function follow(run: Job, w: WorkflowDef): Promise<void> {
    const panel = h('div', { class: 'run', 'aria-live': 'polite' });
    mount(wizard, panel);
    let current = run;
    for (;;) {
      drawRun(panel, current, w);
      if (current.status !== 'running' && current.status !== 'pending' && current.status !== 'queued') break;
      await new Promise((r) => setTimeout(r, 400));
      if (!ctx.alive()) return;
      try {
        current = await get<Job>(`/api/workflow/${encodeURIComponent(run.id)}`);
      } catch (e) {
        panel.append(errorBox(e, 'Lost track of the run'));
        return;
      }
    }
    void loadRuns();
  }
}

function drawRun(panel: HTMLElement, run: Job, w: WorkflowDef): void {
  const done = run.progress?.done ?? 0;
  const total = run.progress?.total ?? 0;
  const failed = run.status === 'failed';
  const reason = run.reason ?? run.error ?? (failed ? run.log?.[run.log.length - 1] : undefined);
  const statusBadge = badge(run.status);
  statusBadge.setAttribute('data-testid', 'run-status');
  const counted =
    total > 0
      ? `${fmtNum(done)} of ${fmtNum(total)} events`
      : run.status === 'completed'
        ? 'No events were stored yet; new events update profiles as they arrive'
        : 'Starting';
  mount(
    panel,
    h('h3', null, `${w.name} `, statusBadge),
    h('progress', { max: String(Math.max(total, 1)), value: String(run.status === 'completed' && !total ? 1 : done), 'aria-label': `${w.name} progress` }),
    h('p', { class: 'muted' }, counted, run.started ? [' · started ', timeEl(run.started)] : null, run.finished ? [' · finished ', timeEl(run.finished)] : null),
    failed ? h('div', { class: 'error', role: 'alert' }, h('strong', null, 'Failed: '), h('span', { class: 'error-message' }, reason ?? 'no reason given')) : null,
    run.status === 'completed' ? h('p', { class: 'ok' }, 'Completed. Profiles are built from the stored events; new events keep them current. ', h('a', { href: '/profiles' }, 'See profiles'), '.') : null,
    run.log?.length ? h('details', { open: true }, h('summary', null, 'Log'), h('ol', { class: 'log' }, run.log.map((l) => h('li', null, l)))) : null,
  );
}
