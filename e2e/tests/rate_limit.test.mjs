// The console under a tight console limit (20 requests / 30 s per session): an admin clicking through faster than
// that sees the calm banner, never an error, and every page ends up loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, signIn, artifacts } from '../lib/harness.mjs';

// The console spends its session's own window (--console-rate-limit), not the tenant's.
const env = serverAndBrowser(['--console-rate-limit', '20/30']);

// Each page, and what shows once its data has loaded.
const pages = [
  ['Issues', 'issues-page', '[data-testid=nothing-broken], [data-testid=issue-row]'],
  ['API usage', 'usage-page', '[data-testid=usage-window]'],
  ['Settings', null, '[data-testid=api-key-row]'],
];

test('clicking through faster than the limit shows the banner, never an error, and loads every page', { timeout: 150_000 }, async () => {
  const { server, chrome } = env;
  const page = await chrome.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Watched in the page itself, so a banner or error shown only for a moment is not missed.
  await page.addInitScript(() => {
    window.__seen = { banner: false, error: false, bannerText: '' };
    new MutationObserver(() => {
      const banner = document.querySelector('[data-testid=rate-limit-banner]');
      if (banner) {
        window.__seen.banner = true;
        window.__seen.bannerText = banner.textContent;
      }
      const error = document.querySelector('[data-testid=error-panel], [data-testid=rate-limit-gave-up]');
      if (error) window.__seen.error = error.textContent;
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });

  await signIn(page, server);
  await page.getByTestId('shell').waitFor();

  // Round after round through the nav, as fast as the links render, until the limit is hit
  // (each round costs about four requests; bounded at 12 rounds).
  const sidebar = page.getByTestId('sidebar');
  for (let round = 0; round < 12 && !(await page.evaluate(() => window.__seen.banner)); round++) {
    for (const [link] of pages) {
      await sidebar.getByRole('link', { name: link, exact: false }).first().click();
      await page.waitForTimeout(100);
    }
  }
  await page.waitForFunction(() => window.__seen.banner, null, { timeout: 30_000 });
  const seen = await page.evaluate(() => window.__seen);
  assert.match(seen.bannerText, /API limit/);
  await page.screenshot({ path: join(artifacts, 'rate-limit-banner.png') });

  // Every page ends up loaded once the window opens again (the limit's window is 30 s).
  for (const [link, testid, loaded] of pages) {
    await sidebar.getByRole('link', { name: link, exact: false }).first().click();
    if (testid) await page.getByTestId(testid).waitFor();
    await page.locator(loaded).first().waitFor({ timeout: 60_000 });
  }
  await page.getByTestId('rate-limit-banner').waitFor({ state: 'detached', timeout: 60_000 });

  const after = await page.evaluate(() => window.__seen);
  assert.equal(after.error, false, `no error panel or "gave up" message at any moment: ${after.error}`);
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await page.close();
});
