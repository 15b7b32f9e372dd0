// Client-side routing with the History API. The server answers every non-API path with
// index.html, so deep links and reloads land here.

export interface PageContext {
  params: Record<string, string>;
  query: URLSearchParams;
  // False once the user has navigated away: polling loops and late answers check it.
  alive: () => boolean;
}

export type Page = (root: HTMLElement, ctx: PageContext) => void | Promise<void>;

interface Route {
  re: RegExp;
  keys: string[];
  page: Page;
  nav: string; // which navigation entry is current
}

const routes: Route[] = [];
let generation = 0;
let renderHook: (route: { page: Page; nav: string } | null, ctx: PageContext) => void = () => {};

export function route(pattern: string, nav: string, page: Page): void {
  const keys: string[] = [];
  const re = new RegExp(
    '^' +
      pattern.replace(/\/:([a-z_]+)/g, (_m, k) => {
        keys.push(k);
        return '/([^/]+)';
      }) +
      '/?$',
  );
  routes.push({ re, keys, page, nav });
}

export function onRender(fn: typeof renderHook): void {
  renderHook = fn;
}

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

export function render(): void {
  generation++;
  const mine = generation;
  const path = location.pathname;
  const ctx: PageContext = { params: {}, query: new URLSearchParams(location.search), alive: () => mine === generation };
  for (const r of routes) {
    const m = path.match(r.re);
    if (m) {
      r.keys.forEach((k, i) => (ctx.params[k] = decodeURIComponent(m[i + 1])));
      renderHook({ page: r.page, nav: r.nav }, ctx);
      return;
    }
  }
  renderHook(null, ctx);
}

// Same-origin links to UI paths navigate without a reload; API links (exports) do not.
export function interceptLinks(): void {
  document.addEventListener('click', (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = (ev.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const href = a.getAttribute('href');
    if (!href || !href.startsWith('/') || href.startsWith('//')) return;
    if (/^\/(api|collect|metrics|healthz|readyz)(\/|$|\?)/.test(href)) return;
    ev.preventDefault();
    navigate(href);
  });
  window.addEventListener('popstate', render);
}
