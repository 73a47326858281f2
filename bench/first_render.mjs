// First render: how long a signed-in admin waits from navigation to a usable Tools > Issues
// page (shell drawn, list or empty state shown), over repeated cold and warm loads. Prints
// figures; not a test. Uses the e2e harness (the real server, Debian's Chromium).
//
// Run: node bench/first_render.mjs   (after `make console` and `cargo build -p sluice-server`)
import { startServer, launchBrowser, signIn } from '../e2e/lib/harness.mjs';

const RUNS = 7;
const server = await startServer();
const chrome = await launchBrowser();
try {
  const context = await chrome.browser.newContext();
  const page = await context.newPage();
  await signIn(page, server);
  await page.getByTestId('shell').waitFor();

  const measure = async (label, cold) => {
    const samples = [];
    for (let i = 0; i < RUNS; i++) {
      if (cold) {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.clearBrowserCache');
        await cdp.detach();
      }
      await page.goto(`${server.base}/issues`, { waitUntil: 'commit' });
      await page.locator('[data-testid=nothing-broken], [data-testid=issue-row]').first().waitFor();
      const ms = await page.evaluate(() => performance.now());
      samples.push(ms);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(RUNS / 2)];
    console.log(`${label.padEnd(44)} median ${median.toFixed(0).padStart(5)} ms   min ${samples[0].toFixed(0)} ms   max ${samples[RUNS - 1].toFixed(0)} ms`);
  };
  console.log(`Tools > Issues, navigation start to the list shown (${RUNS} loads each, 127.0.0.1):`);
  await measure('cold (browser cache cleared)', true);
  await measure('warm (hashed assets cached as immutable)', false);
} finally {
  await chrome.close();
  await server.stop();
}
