// The release console is cut into the shell and one wasm chunk per heavy page: a page's code
// arrives the first time the admin opens it, and a chunk that cannot arrive is explained. The
// first page of a visit fetches its chunks packed as one file (scripts/bundle-chunks.mjs); later
// pages fetch only the chunks not loaded yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, signIn } from '../lib/harness.mjs';

const env = serverAndBrowser();

test('a page fetches its own chunk on first visit, and a chunk that fails to arrive is explained', { timeout: 90_000 }, async () => {
  const { server, chrome } = env;
  const page = await chrome.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const chunks = [];
  page.on('request', (r) => {
    const m = r.url().match(/\/split-[0-9a-f]{12,16}\/([\w.]+\.(?:wasm|bin))$/);
    if (m) chunks.push(m[1]);
  });

  // Block the API usage page's own chunk before the admin ever opens it.
  const usageChunk = /\/split-[0-9a-f]{12,16}\/(split_usage_page\.wasm|bundle_usage_page\.bin)$/;
  await page.route(usageChunk, (route) => route.abort('connectionfailed'));

  await signIn(page, server);
  await page.getByTestId('shell').waitFor();
  await page.getByTestId('issues-page').waitFor();
  assert.deepEqual(chunks, ['bundle_issues_page.bin'], 'Tools > Issues came as one file, its chunks packed together');
  assert.ok(!chunks.some((c) => c.includes('usage') || c.includes('api_keys')), `no other page was fetched: ${chunks}`);

  // The chunk cannot arrive: the frame stays, the page explains, nothing crashes.
  await page.getByTestId('sidebar').getByRole('link', { name: 'API usage' }).click();
  await page.getByText('This page could not be loaded.').waitFor();
  assert.equal(await page.getByTestId('sidebar').count(), 1, 'the console is still there');

  // Other pages keep working after the failure; while a page's code is on its way, a bar says so.
  const keysChunk = /\/split-[0-9a-f]{12,16}\/(split_api_keys_page\.wasm|bundle_api_keys_page\.bin)$/;
  await page.route(keysChunk, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.getByTestId('sidebar').getByRole('link', { name: 'Settings' }).click();
  await page.getByTestId('page-progress').waitFor({ state: 'visible' });
  assert.equal(await page.locator('main').getAttribute('aria-busy'), 'true');
  await page.getByTestId('api-key-table').or(page.getByText('No API keys yet')).first().waitFor();
  assert.ok(chunks.includes('split_api_keys_page.wasm') && !chunks.some((c) => c.startsWith('bundle_api_keys')),
    `a later page fetches only the chunks it still lacks: ${chunks}`);
  await page.getByTestId('page-progress').waitFor({ state: 'hidden' });
  assert.equal(await page.locator('main').getAttribute('aria-busy'), 'false');

  // Coming back tries again (a failure is not remembered); still blocked, still explained.
  await page.getByTestId('sidebar').getByRole('link', { name: 'API usage' }).click();
  await page.getByText('This page could not be loaded.').waitFor();

  // Once the network is back, the button brings the page.
  await page.unroute(usageChunk);
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.getByTestId('usage-page').waitFor();

  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await page.close();
});
