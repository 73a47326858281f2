// The console runs under its Content-Security-Policy (no inline script but trunk's loader, by
// hash; WebAssembly allowed, eval not): every page loads, signs in and navigates in Chromium
// with no policy violation reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, signIn } from '../lib/harness.mjs';

const env = serverAndBrowser();

test('the console loads and runs under its CSP with no violation', { timeout: 90_000 }, async () => {
  const { server, chrome } = env;
  const page = await chrome.browser.newPage();
  const violations = [];
  // Recorded in the page from its first script on, before the console's own code runs.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI} ${e.sample}`),
    );
  });
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  const res = await page.goto(`${server.base}/login`);
  const csp = res.headers()['content-security-policy'] || '';
  const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) || '';
  assert.match(scriptSrc, /'sha256-[A-Za-z0-9+/=]+'/, csp);
  assert.doesNotMatch(scriptSrc, /unsafe-inline|unsafe-eval'/, csp);
  assert.match(res.headers()['permissions-policy'] || '', /camera=\(\)/);

  await signIn(page, server);
  await page.getByTestId('shell').waitFor();
  for (const path of ['/issues', '/usage', '/settings/api-keys', '/integrations']) {
    await page.goto(`${server.base}${path}`);
    await page.getByTestId('shell').waitFor();
  }
  const reported = await page.evaluate(() => window.__cspViolations);
  assert.deepEqual([...reported, ...violations], [], 'CSP violations');
  assert.deepEqual(errors, [], 'page errors');
});
