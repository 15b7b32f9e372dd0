// Account Settings → API tokens: list, create (shown once, with a copy button), revoke.
import { call, get, enc, type Token } from '../api';
import { h, mount, field } from '../dom';
import type { PageContext } from '../router';
import { copyButton, emptyState, errorBox, loading, pageHeader, section, table, timeEl, badge, statusLine } from '../ui';

export async function settingsPage(root: HTMLElement, ctx: PageContext): Promise<void> {
  const listBox = h('div', null, loading('Loading tokens'));
  const created = h('div', { class: 'created-slot' });
  const formSlot = h('div');
  const status = statusLine();

  const createBtn = h('button', { type: 'button', class: 'primary' }, 'Create token');
  createBtn.addEventListener('click', () => {
    createBtn.setAttribute('aria-expanded', 'true');
    showForm();
  });

  mount(
    root,
    pageHeader('Account Settings', 'Tokens for people and for webhooks. Roles: admin (everything), read (GET under /api), collect (only /collect, for webhooks).'),
    section('API tokens', h('div', { class: 'toolbar' }, createBtn), formSlot, created, status, listBox),
  );

  async function refresh(): Promise<void> {
    try {
      const tokens = await get<Token[]>('/api/token');
      if (!ctx.alive()) return;
      if (!tokens.length) {
        mount(listBox, emptyState('No tokens yet — create one with Create token.'));
        return;
      }
      mount(
        listBox,
        table(
          tokens,
          [
            { label: 'Name', cell: (t) => t.name || h('span', { class: 'muted' }, '(no name)') },
            { label: 'Role', cell: (t) => badge(t.role) },
            { label: 'Created', cell: (t) => timeEl(t.created) },
            { label: 'Id', cell: (t) => h('code', null, t.id) },
            {
              label: 'Actions',
              cell: (t) =>
                h('button', { type: 'button', class: 'danger small', 'aria-label': `Revoke token ${t.name || t.id}`, onclick: () => revoke(t) }, 'Revoke'),
            },
          ],
          'API tokens',
        ),
      );
    } catch (e) {
      mount(listBox, errorBox(e, 'Could not list tokens'));
    }
  }

  async function revoke(t: Token): Promise<void> {
    if (!window.confirm(`Revoke the token "${t.name || t.id}"? Anything using it stops working at once.`)) return;
    try {
      await call('DELETE', `/api/token/${enc(t.id)}`);
      mount(status, h('p', { class: 'ok' }, `Revoked ${t.name || t.id}.`));
      await refresh();
    } catch (e) {
      mount(status, errorBox(e, 'Could not revoke'));
    }
  }

  function showForm(): void {
    const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '64', placeholder: 'e.g. customerio-webhook' });
    const role = h(
      'select',
      { name: 'role' },
      h('option', { value: 'admin' }, 'admin — everything'),
      h('option', { value: 'read' }, 'read — read the API'),
      h('option', { value: 'collect' }, 'collect — send events (webhooks)'),
    );
    const form = h(
      'form',
      { class: 'inline-form', 'aria-label': 'Create token' },
      field('Name', name),
      field('Role', role),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create'), h('button', { type: 'button', class: 'ghost', onclick: () => { mount(formSlot); createBtn.setAttribute('aria-expanded', 'false'); createBtn.focus(); } }, 'Cancel')),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const t = (await call<Token>('POST', '/api/token', { name: name.value.trim(), role: role.value })).data;
        mount(formSlot);
        createBtn.setAttribute('aria-expanded', 'false');
        mount(created, newTokenPanel(t));
        (created.querySelector('.copy') as HTMLElement | null)?.focus();
        await refresh();
      } catch (e) {
        mount(status, errorBox(e, 'Could not create the token'));
      }
    });
    mount(formSlot, form);
    name.focus();
  }

  await refresh();
}

// The plain token, this once.
export function newTokenPanel(t: Token): HTMLElement {
  return h(
    'div',
    { class: 'new-token', role: 'status' },
    h('p', null, h('strong', null, `Token "${t.name}" (${t.role}) created.`), ' It is shown once — copy it now; Cohort keeps only its hash and cannot show it again.'),
    h('div', { class: 'copy-row' }, h('code', { class: 'secret', 'data-testid': 'new-token' }, t.token ?? ''), copyButton(() => t.token ?? '')),
  );
}
