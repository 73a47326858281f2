// Issue 15 in the real browser against the real server:
// * two tabs of one admin click through faster than a small console limit: no error in either,
//   every page loads, and the 429s across both tabs are at most one per window closure per tab;
// * an API key exhausts the tenant's Public API window while the admin keeps using the console
//   without a single 429.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, signIn, artifacts } from '../lib/harness.mjs';

const pages = [
  ['Issues', 'issues-page', '[data-testid=nothing-broken], [data-testid=issue-row]'],
  ['API usage', 'usage-page', '[data-testid=usage-window]'],
  ['Settings', null, '[data-testid=api-key-row]'],
];

/** Counts, in the page itself, how often the wait banner appears and whether an error shows. */
async function watch(page) {
  await page.addInitScript(() => {
    window.__seen = { closures: 0, showing: false, error: false };
    new MutationObserver(() => {
      const banner = !!document.querySelector('[data-testid=rate-limit-banner]');
      if (banner && !window.__seen.showing) window.__seen.closures += 1;
      window.__seen.showing = banner;
      const error = document.querySelector('[data-testid=error-panel], [data-testid=rate-limit-gave-up]');
      if (error) window.__seen.error = error.textContent;
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  const counts = { requests: 0, refused: 0 };
  page.on('response', (res) => {
    if (!res.url().includes('/api/v1/')) return;
    counts.requests += 1;
    if (res.status() === 429) counts.refused += 1;
  });
  return counts;
}

async function clickThrough(page, rounds) {
  const sidebar = page.getByTestId('sidebar');
  for (let round = 0; round < rounds; round++) {
    for (const [link] of pages) {
      await sidebar.getByRole('link', { name: link, exact: false }).first().click();
      await page.waitForTimeout(50);
    }
  }
}

async function everyPageLoads(page) {
  const sidebar = page.getByTestId('sidebar');
  for (const [link, testid, loaded] of pages) {
    await sidebar.getByRole('link', { name: link, exact: false }).first().click();
    if (testid) await page.getByTestId(testid).waitFor();
    await page.locator(loaded).first().waitFor({ timeout: 60_000 });
  }
}

test('two tabs faster than the console limit: no error, every page loads, at most one 429 per closure per tab', { timeout: 240_000 }, async () => {
  const server = await startServer(['--console-rate-limit', '15/10']);
  const chrome = await launchBrowser();
  try {
    const context = await chrome.browser.newContext();
    const first = await context.newPage();
    const firstCounts = await watch(first);
    await signIn(first, server);
    await first.getByTestId('shell').waitFor();
    const second = await context.newPage();
    const secondCounts = await watch(second);
    await second.goto(`${server.base}/issues`);
    await second.getByTestId('shell').waitFor();

    await Promise.all([clickThrough(first, 6), clickThrough(second, 6)]);
    await Promise.all([everyPageLoads(first), everyPageLoads(second)]);
    await first.screenshot({ path: join(artifacts, 'console-window-two-tabs.png') });

    const seen = [await first.evaluate(() => window.__seen), await second.evaluate(() => window.__seen)];
    const refused = firstCounts.refused + secondCounts.refused;
    const closures = seen[0].closures + seen[1].closures;
    console.log(`# two tabs: ${firstCounts.requests + secondCounts.requests} requests, ${refused} 429s, ${closures} closures seen`);
    assert.ok(closures > 0, 'the small limit was reached');
    assert.equal(seen[0].error, false, `tab 1 showed an error: ${seen[0].error}`);
    assert.equal(seen[1].error, false, `tab 2 showed an error: ${seen[1].error}`);
    assert.ok(refused <= closures, `${refused} 429s for ${closures} closures across both tabs`);
    await context.close();
  } finally {
    await chrome.close();
    await server.stop();
  }
});

test('an API key exhausting the Public API window never refuses the admin in the console', { timeout: 120_000 }, async () => {
  const server = await startServer(['--rate-limit', '10/600']);
  const chrome = await launchBrowser();
  try {
    const key = { headers: { authorization: `Bearer ${server.tenant.apiKey}` } };
    let status = 0;
    for (let i = 0; i < 20 && status !== 429; i++) {
      status = (await fetch(`${server.base}/api/v1/issues`, key)).status;
    }
    assert.equal(status, 429, 'the runaway key exhausted the tenant window');

    const page = await chrome.browser.newPage();
    const counts = await watch(page);
    await signIn(page, server);
    await page.getByTestId('shell').waitFor();
    await clickThrough(page, 4);
    await everyPageLoads(page);
    await page.getByTestId('sidebar').getByRole('link', { name: 'API usage', exact: false }).first().click();
    await page.getByTestId('usage-console-window').waitFor();
    const usage = await page.getByTestId('usage-window').textContent();
    assert.match(usage, /10 of 10 requests used/, 'the usage page shows the key spent the Public API window');
    await page.screenshot({ path: join(artifacts, 'console-window-key-exhausted.png') });
    assert.equal(counts.refused, 0, `the console got ${counts.refused} 429s`);
    assert.equal((await page.evaluate(() => window.__seen)).error, false);
    assert.equal((await fetch(`${server.base}/api/v1/issues`, key)).status, 429, 'the key is still refused');
    await page.close();
  } finally {
    await chrome.close();
    await server.stop();
  }
});
