// "Why are these prices old?": a distributor whose last successful sync is older than its
// threshold shows the Stale badge and an issue in Tools > Issues; Force re-fetch shows progress,
// then the badge and the issue clear. The past is real: a server whose clock runs three hours
// behind (SLUICE_CLOCK_OFFSET_MS) syncs the feed and stops; the journey restarts it on the same
// data dir with the true time. axe-core checks every Distributors view on the way.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startServer, launchBrowser, signIn, checkAxe, artifacts } from '../lib/harness.mjs';

const HOUR_MS = 3_600_000;
const NAME = 'Also Electronics';
const ROWS = 4_000;

// A price file sent in 20 slices over ~2 s, with its length up front: a run takes long enough
// for its progress to show, as a real distributor's file would over a real network.
const csv = ['SKU,MPN,Description,Price,Currency,Stock']
  .concat(Array.from({ length: ROWS }, (_, n) => `ST-${String(n).padStart(5, '0')},M-${n},Stale test item ${n},${(10 + (n % 90)).toFixed(2)},EUR,${n % 40}`))
  .join('\n') + '\n';
const feed = createServer((req, res) => {
  const body = Buffer.from(csv);
  res.writeHead(200, { 'content-type': 'text/csv', 'content-length': body.length });
  const slice = Math.ceil(body.length / 20);
  let at = 0;
  const next = () => {
    if (res.destroyed) return;
    res.write(body.subarray(at, at + slice));
    at += slice;
    if (at < body.length) setTimeout(next, 100);
    else res.end();
  };
  next();
});
feed.on('connection', (socket) => socket.unref());
await new Promise((r) => feed.listen(0, '127.0.0.1', r));
feed.unref();
const feedUrl = `http://127.0.0.1:${feed.address().port}/prices.csv`;

const running = [];
after(async () => {
  for (const stop of running.reverse()) await stop();
  feed.close();
});

async function api(server, method, path, body) {
  const res = await fetch(`${server.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${server.tenant.apiKey}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

/** Reloads `path` until `locator(page)` has `count` matches (lists refresh on load). */
async function untilCount(page, url, locator, count, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(url);
    await page.getByTestId('shell').waitFor();
    await page.waitForLoadState('networkidle');
    const n = await locator(page).count();
    if (n === count) return;
    if (Date.now() > deadline) throw new Error(`${url}: ${n} matches, wanted ${count}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('price data is stale: the badge and its issue show, Force re-fetch shows progress, both clear', { timeout: 180_000 }, async () => {
  // Three hours ago (on the shifted clock): the feed is added and syncs once.
  const past = await startServer(['--allow-private-targets'], { env: { SLUICE_CLOCK_OFFSET_MS: String(-3 * HOUR_MS) } });
  let pastRunning = true;
  running.push(async () => pastRunning && past.stop());
  const created = await api(past, 'POST', '/distributors', {
    name: NAME, kind: 'http', url: feedUrl, format: 'csv',
    mapping: { sku: 'SKU', mpn: 'MPN', description: 'Description', costPrice: 'Price', currency: 'Currency', stock: 'Stock' },
    priority: 1, cadenceMinutes: 1440, staleAfterHours: 2, maxRejectedPercent: 5,
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const id = created.json.id;
  assert.equal((await api(past, 'POST', `/distributors/${id}/sync`)).status, 202);
  const deadline = Date.now() + 30_000;
  while (!(await api(past, 'GET', `/distributors/${id}`)).json.lastSuccessAt) {
    assert.ok(Date.now() < deadline, 'the first sync did not succeed');
    await new Promise((r) => setTimeout(r, 200));
  }
  await past.stop({ keepData: true });
  pastRunning = false;

  // Now: the same data, the true time. The last success is three hours old, the threshold two.
  const server = await startServer(['--allow-private-targets'], { reuse: past });
  running.push(() => server.stop());
  const chrome = await launchBrowser();
  running.push(() => chrome.close());
  const page = await chrome.browser.newPage({ viewport: { width: 1360, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, server);
  await page.getByTestId('shell').waitFor();

  await page.goto(`${server.base}/distributors`);
  const row = page.getByTestId('distributor-row').filter({ hasText: NAME });
  await row.getByTestId('stale-badge').waitFor();
  assert.notEqual(await row.getByTestId('last-success').innerText(), 'never');
  await page.screenshot({ path: join(artifacts, 'distributors-stale.png'), fullPage: true });
  await checkAxe(page, 'Distributors list');

  // The scheduler reports it (it looks every few seconds) in Tools > Issues.
  const staleIssue = (p) => p.getByTestId('issue-row').filter({ hasText: `Prices from ${NAME} are stale` });
  await untilCount(page, `${server.base}/issues`, staleIssue, 1);
  assert.match(await staleIssue(page).innerText(), /\(3 h ago\), past the 2-hour threshold/);
  await page.screenshot({ path: join(artifacts, 'distributors-stale-issue.png'), fullPage: true });

  await page.goto(`${server.base}/distributors?id=${id}`);
  await page.getByTestId('distributor-detail').waitFor();
  await checkAxe(page, 'Distributor detail (stale)');

  await page.getByTestId('force-refetch').click();
  await page.getByTestId('run-progress').waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(artifacts, 'distributors-stale-refetching.png'), fullPage: true });
  await checkAxe(page, 'Distributor detail (re-fetching)');
  const summary = page.getByTestId('run-summary');
  await summary.waitFor({ timeout: 60_000 });
  assert.match(await summary.innerText(), new RegExp(`^Succeeded: ${ROWS} rows read`));
  await checkAxe(page, 'Distributor detail (run summary)');

  // The badge and the issue are gone.
  await untilCount(page, `${server.base}/distributors`, (p) => p.getByTestId('distributor-row').filter({ hasText: NAME }).getByTestId('stale-badge'), 0);
  await page.screenshot({ path: join(artifacts, 'distributors-stale-cleared.png'), fullPage: true });
  await untilCount(page, `${server.base}/issues`, staleIssue, 0);
  await untilCount(page, `${server.base}/issues?status=resolved`, staleIssue, 1);

  // The other Distributors views: the edit form, the new-distributor form, a product search.
  await page.goto(`${server.base}/distributors?id=${id}`);
  await page.getByTestId('edit-distributor').click();
  await page.getByTestId('distributor-form').waitFor();
  await checkAxe(page, 'Edit distributor form');
  await page.goto(`${server.base}/distributors`);
  await page.getByTestId('add-distributor').click();
  await page.getByTestId('distributor-form').waitFor();
  await checkAxe(page, 'New distributor form');
  await page.goto(`${server.base}/distributors`);
  await page.getByTestId('field-product-q').fill('ST-00042');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('offer-row').filter({ hasText: NAME }).waitFor();
  await checkAxe(page, 'Product search results');
  assert.deepEqual(errors, []);
  await page.close();
});
