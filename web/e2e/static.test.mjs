// How the binary serves the embedded UI: index.html for client-side routes, assets with their
// Content-Type and a long cache lifetime, JSON 404s for missing assets and unknown API paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

test('the binary serves the embedded UI', async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const get = (p, headers = {}) => fetch(server.base + p, { headers });

  const index = await get('/');
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  assert.match(html, /<div id="app">/);

  for (const route of ['/streams', '/profiles/email/dana.ortiz@example.org', '/audiences/new', '/settings']) {
    const r = await get(route);
    assert.equal(r.status, 200, route);
    assert.equal(await r.text(), html, `${route} gets index.html`);
  }

  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), `assets in index.html: ${assets}`);
  const types = { js: /^text\/javascript/, css: /^text\/css/, svg: /^image\/svg\+xml/ };
  for (const a of assets) {
    const r = await get(a);
    assert.equal(r.status, 200, a);
    assert.match(r.headers.get('content-type'), types[a.split('.').pop()], a);
    assert.match(r.headers.get('cache-control'), /max-age=31536000/, a);
    const etag = r.headers.get('etag');
    assert.ok(etag, `${a} has an ETag`);
    assert.equal((await get(a, { 'If-None-Match': etag })).status, 304, `${a} revalidates`);
  }

  const head = await fetch(server.base + assets[0], { method: 'HEAD' });
  assert.equal(head.status, 200);

  for (const p of ['/assets/nope.js', '/favicon.ico', '/api/nope', '/collect/nope']) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    const body = await r.json();
    assert.equal(body.status, 404, p);
    assert.ok(body.request_id, p);
  }
});
