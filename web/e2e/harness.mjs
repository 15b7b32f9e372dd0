// Test harness for the browser tests: a real server from the built binary (port 0, temp data
// dir, admin token via the environment) and Debian's Chromium driven by playwright-core.
//
// Environment:
//   COHORT_BIN          the server binary (default: <repo>/build/cohort)
//   COHORT_SOURCE_DIR   the repository (default: two levels up from this file's web/ dir)
//   COHORT_FIXTURES     Customer.io fixtures (default: <repo>/../shared/fixtures/customerio)
//   COHORT_SCREENSHOTS  where screenshots go (default: <repo>/docs/screenshots)
//   CHROMIUM            browser executable (default: /usr/bin/chromium)
//   COHORT_E2E_STRICT=1 fail, instead of skip, steps whose API the server does not have
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = process.env.COHORT_SOURCE_DIR ?? path.resolve(here, '../..');
export const binary = process.env.COHORT_BIN ?? path.join(sourceDir, 'build/cohort');
export const fixturesDir = process.env.COHORT_FIXTURES ?? path.resolve(sourceDir, '../shared/fixtures/customerio');
export const screenshotDir = process.env.COHORT_SCREENSHOTS ?? path.join(sourceDir, 'docs/screenshots');
export const strict = process.env.COHORT_E2E_STRICT === '1';
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

// Starts `cohort serve` on port 0 and resolves once it prints its URL.
export async function startServer() {
  if (!existsSync(binary)) throw new Error(`no server binary at ${binary}; build it (make build) or set COHORT_BIN`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cohort-e2e-'));
  const child = spawn(binary, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0'], {
    env: { ...process.env, COHORT_ADMIN_TOKEN: ADMIN_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${output}`)), 20000);
    const onData = (buf) => {
      output += buf.toString();
      const m = output.match(/cohort is serving on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    base,
    dataDir,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            r();
          }, 10000);
          child.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

// A page that records what would count as console errors: uncaught exceptions and
// console.error calls. The browser's own "Failed to load resource" lines for 4xx answers the
// tests provoke on purpose are recorded apart.
export async function newPage(browser, base, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ baseURL: base, viewport, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  const errors = [];
  const failedLoads = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of (4\d\d)/.test(m.text())) failedLoads.push(m.text());
    else errors.push(`console.error: ${m.text()}`);
  });
  page.setDefaultTimeout(10000);
  return { context, page, errors, failedLoads };
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  // Let charts and fonts settle; animations are none.
  await page.waitForTimeout(150);
  // From the top, so the sticky navigation bar is where it belongs in a full-page capture.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

// GET/POST against the API as the admin (for checks, not for what the UI must do).
export async function api(base, method, p, body, token = ADMIN_TOKEN) {
  const res = await fetch(base + p, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

// Whether the server has an API route (404 "no route" means not yet).
export async function hasRoute(base, p) {
  const r = await api(base, 'GET', p);
  return !(r.status === 404 && /no route/.test(r.json?.message ?? ''));
}

export async function eventually(fn, { timeout = 10000, interval = 200, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
