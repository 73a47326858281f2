// Admin > Distributors journeys against the real server: the FTP password was changed at the
// distributor (Test says the server's 530, a new password fixes it), and a feed that returns
// no data (the run fails, the issue says what it means, yesterday's prices stay).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, artifacts, checkAxe } from '../lib/harness.mjs';

// --demo serves an HTTP and an FTP feed on loopback; private targets let this file's own
// feed server on 127.0.0.1 through the SSRF guard.
const env = serverAndBrowser(['--demo', '--allow-private-targets']);

async function signInDemo(page, server) {
  const login = readFileSync(join(server.dataDir, 'demo-login.txt'), 'utf8');
  const password = login.match(/password=(\S+)/)[1];
  await page.goto(`${server.base}/login`);
  await page.getByLabel('Email').fill('admin@demo.sluice.dev');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('shell').waitFor();
}

test('connection test fails: the FTP password was changed, Test shows 530, a new password passes', { timeout: 120_000 }, async () => {
  const { server, chrome } = env;
  const page = await chrome.browser.newPage({ viewport: { width: 1360, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await signInDemo(page, server);
  await page.goto(`${server.base}/distributors`);
  await page.getByRole('link', { name: 'TD Synnex (demo, FTP)' }).click();
  await page.getByTestId('distributor-detail').waitFor();

  await page.getByTestId('test-saved').click();
  await page.getByTestId('test-error').waitFor();
  assert.equal(await page.getByTestId('test-error').innerText(), '530 Authentication failed');
  await page.screenshot({ path: join(artifacts, 'distributors-530.png'), fullPage: true });
  await checkAxe(page, 'Distributor detail (test connection failed)');

  await page.getByTestId('edit-distributor').click();
  await page.getByTestId('field-password').fill('demo-feed-2026');
  await page.getByTestId('save-distributor').click();
  await page.getByTestId('distributor-form').waitFor({ state: 'detached' });
  await page.getByTestId('test-saved').click();
  await page.getByTestId('mapping-preview').waitFor();
  assert.ok((await page.getByTestId('preview-row').count()) >= 5, 'the first rows, mapped');
  await checkAxe(page, 'Distributor detail (mapping preview)');

  await page.getByTestId('force-refetch').click();
  const summary = page.getByTestId('run-summary');
  await summary.waitFor({ timeout: 60_000 });
  assert.match(await summary.innerText(), /^Succeeded: 2250 rows read/);
  await page.screenshot({ path: join(artifacts, 'distributors-ftp-fixed.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('feed returning empty data: the run fails, the issue explains, yesterday\'s prices stay', { timeout: 120_000 }, async () => {
  const { server, chrome } = env;
  let body = 'SKU,MPN,Description,Price,Currency,Stock\nE2E-1,M-1,Yesterday cable,10.00,EUR,4\n';
  const feed = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv' });
    res.end(body);
  });
  await new Promise((r) => feed.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${feed.address().port}/prices.csv`;
  try {
    const page = await chrome.browser.newPage({ viewport: { width: 1360, height: 900 } });
    await signInDemo(page, server);
    const created = await page.request.post(`${server.base}/api/v1/distributors`, {
      data: {
        name: 'Esprinet', kind: 'http', url, format: 'csv',
        mapping: { sku: 'SKU', mpn: 'MPN', description: 'Description', costPrice: 'Price', currency: 'Currency', stock: 'Stock' },
        priority: 3, cadenceMinutes: 1440, staleAfterHours: 26, maxRejectedPercent: 5,
      },
    });
    assert.equal(created.status(), 201);
    const { id } = await created.json();

    await page.goto(`${server.base}/distributors?id=${id}`);
    await page.getByTestId('force-refetch').click();
    await page.getByTestId('run-summary').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('run-summary').innerText(), /^Succeeded: 1 rows read, 1 added/);

    body = '';
    await page.getByTestId('force-refetch').click();
    // The run's summary says so (the list and the run history say it too, once they refresh).
    await page.getByTestId('run-summary').filter({ hasText: 'Failed: Feed returned no data' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(artifacts, 'distributors-empty-feed.png'), fullPage: true });
    await checkAxe(page, 'Distributor detail (failed run)');

    await page.goto(`${server.base}/issues`);
    const row = page.getByTestId('issue-row').filter({ hasText: 'Esprinet: feed returned no data' });
    await row.waitFor({ timeout: 15_000 });
    assert.match(await row.innerText(), /the distributor may have deactivated the account, or the price file is temporarily unavailable\. Contact the distributor\./);

    await page.goto(`${server.base}/distributors`);
    await page.getByTestId('field-product-q').fill('E2E-1');
    await page.getByRole('button', { name: 'Search' }).click();
    const offer = page.getByTestId('offer-row').filter({ hasText: 'Esprinet' });
    await offer.waitFor();
    assert.match(await offer.innerText(), /10\.00 EUR/);
    await page.screenshot({ path: join(artifacts, 'distributors-prices-kept.png'), fullPage: true });
    await page.close();
  } finally {
    feed.close();
  }
});
