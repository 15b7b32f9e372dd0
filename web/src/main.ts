// The app shell: sign-in, the navigation, and the routes of every page.
import './styles.css';
import { call, session, setUnauthorizedHandler } from './api';
import { h, mount, field } from './dom';
import { interceptLinks, navigate, onRender, render, route, type Page, type PageContext } from './router';
import { errorBox } from './ui';
import { integrationsPage, customerioPage } from './pages/integrations';
import { streamsPage, streamPage } from './pages/streams';
import { profilesPage, profilePage } from './pages/profiles';
import { audiencesPage, audienceNewPage, audiencePage } from './pages/audiences';
import { queriesPage } from './pages/queries';
import { settingsPage } from './pages/settings';

export const NAV: [label: string, path: string][] = [
  ['Integrations', '/integrations'],
  ['Streams', '/streams'],
  ['Profiles', '/profiles'],
  ['Audiences', '/audiences'],
  ['Queries', '/queries'],
  ['Account Settings', '/settings'],
];

route('/signin', '', signInPage);
route('/', 'Integrations', (_root, _ctx) => navigate('/integrations', true));
route('/integrations', 'Integrations', integrationsPage);
route('/integrations/customerio', 'Integrations', customerioPage);
route('/streams', 'Streams', streamsPage);
route('/streams/:name', 'Streams', streamPage);
route('/profiles', 'Profiles', profilesPage);
route('/profiles/:field/:value', 'Profiles', profilePage);
route('/audiences', 'Audiences', audiencesPage);
route('/audiences/new', 'Audiences', audienceNewPage);
route('/audiences/:slug', 'Audiences', audiencePage);
route('/queries', 'Queries', queriesPage);
route('/settings', 'Account Settings', settingsPage);

const app = document.getElementById('app')!;
let signInNotice = '';
let firstRender = true;

setUnauthorizedHandler((message) => {
  session.signOut();
  signInNotice = `Signed out: ${message}`;
  const next = location.pathname + location.search;
  navigate(`/signin?next=${encodeURIComponent(next)}`, true);
});

onRender((r, ctx) => {
  const path = location.pathname;
  if (!session.token() && path !== '/signin') {
    navigate(`/signin?next=${encodeURIComponent(path + location.search)}`, true);
    return;
  }
  if (r && r.page === signInPage) {
    document.title = 'Sign in · Cohort';
    mount(app, h('main', { id: 'main', class: 'signin-main', tabindex: '-1' }));
    void runPage(r.page, app.querySelector('main')!, ctx);
    return;
  }
  const main = h('main', { id: 'main', tabindex: '-1' });
  mount(app, h('a', { class: 'skip', href: '#main', onclick: skipToMain }, 'Skip to content'), shell(r?.nav ?? ''), main);
  document.title = `${r?.nav || 'Not found'} · Cohort`;
  if (!r) {
    mount(main, h('h1', null, 'Page not found'), h('p', null, 'There is no page at ', h('code', null, path), '. ', h('a', { href: '/integrations' }, 'Go to Integrations'), '.'));
    return;
  }
  void runPage(r.page, main, ctx).then(() => {
    // Move focus to the new page's heading so keyboard and screen-reader users follow along.
    if (!firstRender && ctx.alive()) (main.querySelector('h1') as HTMLElement | null)?.focus({ preventScroll: false });
    firstRender = false;
  });
});

function skipToMain(ev: Event): void {
  ev.preventDefault();
  (document.getElementById('main') as HTMLElement | null)?.focus();
}

async function runPage(page: Page, root: HTMLElement, ctx: PageContext): Promise<void> {
  try {
    await page(root, ctx);
  } catch (e) {
    // Never a blank page: whatever failed, say what the server (or the browser) said.
    if (ctx.alive()) root.append(errorBox(e, 'This page could not load'));
  }
}

function shell(current: string): HTMLElement {
  const links = NAV.map(([label, path]) =>
    h('li', null, h('a', { href: path, 'aria-current': label === current ? 'page' : null }, label)),
  );
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '/integrations', 'aria-label': 'Cohort home' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Cohort'),
    h('nav', { 'aria-label': 'Main' }, h('ul', null, links)),
    h(
      'button',
      {
        type: 'button',
        class: 'ghost signout',
        onclick: () => {
          session.signOut();
          signInNotice = 'Signed out.';
          navigate('/signin', true);
        },
      },
      'Sign out',
    ),
  );
}

async function signInPage(root: HTMLElement, ctx: PageContext): Promise<void> {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const status = h('div', { class: 'status-line', role: 'status', 'aria-live': 'polite' });
  const next = ctx.query.get('next');
  const form = h(
    'form',
    { class: 'signin card', 'aria-labelledby': 'signin-title' },
    h('div', { class: 'brand big' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Cohort'),
    h('h1', { id: 'signin-title', tabindex: '-1' }, 'Sign in'),
    h('p', { class: 'muted' }, 'Use an admin or read API token. The first admin token is the ', h('code', null, 'COHORT_ADMIN_TOKEN'), ' the server was started with, or the one it printed on first start.'),
    field('API token', input, 'Kept for this browser tab only (session storage).'),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    status,
  );
  if (signInNotice) {
    status.append(h('p', { class: 'notice' }, signInNotice));
    signInNotice = '';
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    status.replaceChildren(h('p', { class: 'loading' }, 'Checking the token…'));
    try {
      // Any API read proves the token: admin and read tokens may list streams.
      await call('GET', '/api/stream', undefined, { token });
      session.signIn(token);
      const dest = next && next.startsWith('/') && !next.startsWith('/signin') ? next : '/integrations';
      navigate(dest, true);
    } catch (e) {
      status.replaceChildren(errorBox(e, 'Sign-in failed'));
      input.focus();
    }
  });
  mount(root, form);
  input.focus();
}

// Unexpected failures still end up on screen, not in a blank page.
window.addEventListener('unhandledrejection', (ev) => {
  ev.preventDefault();
  const main = document.getElementById('main');
  if (main) main.append(errorBox(ev.reason, 'Something went wrong'));
});

interceptLinks();
render();
