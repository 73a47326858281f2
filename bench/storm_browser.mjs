// The 429 storm in real Chromium: N tabs (default 5) of one signed-in admin click through the
// console's pages for a fixed number of rounds against the real server with a small console
// limit, then the same workload with a limit that is never reached (the minimum). Prints
// requests, 429s, failed actions and time for both. Figures, not a test. Uses the e2e harness
// (the real server, Debian's Chromium); everything on 127.0.0.1, bounded in rounds and time.
//
// Run: node bench/storm_browser.mjs   (after `make console` and `cargo build -p sluice-server`)
//      STORM_TABS=5 STORM_ROUNDS=4 STORM_LIMIT=30/10 to change the workload.
import { startServer, launchBrowser, signIn } from '../e2e/lib/harness.mjs';

const TABS = Number(process.env.STORM_TABS || 5);
const ROUNDS = Number(process.env.STORM_ROUNDS || 4);
const LIMIT = process.env.STORM_LIMIT || '30/10';
const NEVER = '1000000/60';
/** An action that has not shown its page after this counts as failed. */
const ACTION_TIMEOUT_MS = 120_000;

const pages = [
  ['Issues', '[data-testid=nothing-broken], [data-testid=issue-row]'],
  ['API usage', '[data-testid=usage-window]'],
  ['Settings', '[data-testid=api-key-row]'],
];

async function tab(page, counts) {
  const sidebar = page.getByTestId('sidebar');
  for (let round = 0; round < ROUNDS; round++) {
    for (const [link, loaded] of pages) {
      await sidebar.getByRole('link', { name: link, exact: false }).first().click();
      try {
        await page.locator(loaded).first().waitFor({ timeout: ACTION_TIMEOUT_MS });
        if (await page.locator('[data-testid=error-panel], [data-testid=rate-limit-gave-up]').count()) counts.failed += 1;
      } catch {
        counts.failed += 1;
      }
      counts.actions += 1;
    }
  }
}

async function run(limit) {
  const server = await startServer(['--console-rate-limit', limit]);
  const chrome = await launchBrowser();
  const counts = { requests: 0, refused: 0, failed: 0, actions: 0 };
  try {
    const context = await chrome.browser.newContext();
    const tabs = [];
    for (let i = 0; i < TABS; i++) {
      const page = await context.newPage();
      page.on('response', (res) => {
        if (!res.url().includes('/api/v1/')) return;
        counts.requests += 1;
        if (res.status() === 429) counts.refused += 1;
      });
      if (i === 0) await signIn(page, server);
      else await page.goto(`${server.base}/issues`);
      await page.getByTestId('shell').waitFor();
      tabs.push(page);
    }
    const started = Date.now();
    await Promise.all(tabs.map((page) => tab(page, counts)));
    counts.seconds = (Date.now() - started) / 1000;
    await context.close();
  } finally {
    await chrome.close();
    await server.stop();
  }
  return counts;
}

console.log(`${TABS} tabs x ${ROUNDS} rounds x ${pages.length} pages, one admin, console limit ${LIMIT} (and ${NEVER}, never reached)`);
console.log(`${'run'.padEnd(26)} ${'requests'.padStart(9)} ${'429s'.padStart(6)} ${'failed'.padStart(7)} ${'time'.padStart(9)}`);
const minimum = await run(NEVER);
const limited = await run(LIMIT);
for (const [label, c] of [[`limit ${LIMIT}`, limited], ['never reached (minimum)', minimum]]) {
  console.log(`${label.padEnd(26)} ${String(c.requests).padStart(9)} ${String(c.refused).padStart(6)} ${String(c.failed).padStart(7)} ${c.seconds.toFixed(1).padStart(7)} s`);
}
console.log(`requests under the limit / minimum: ${(limited.requests / minimum.requests).toFixed(2)}x (budget 1.1x); ${limited.actions} actions, ${limited.failed} failed`);
