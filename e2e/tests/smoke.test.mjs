// The foundation as an admin meets it: sign in through the form, see the console, create an
// API key and use it, reload a deep link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, signIn, artifacts } from '../lib/harness.mjs';

const env = serverAndBrowser();

test('an admin signs in, creates an API key that works, and deep links survive a reload', { timeout: 90_000 }, async () => {
  const { server, chrome } = env;
  const page = await chrome.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  // A deep link while signed out goes to the login page and comes back after.
  await page.goto(`${server.base}/settings/api-keys`);
  await page.getByTestId('login-page').waitFor();
  assert.match(page.url(), /\/login\?next=/);

  // Field errors before anything is sent.
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.equal(await page.getByTestId('field-error').count(), 2);

  // The server's message for a wrong password.
  await page.getByLabel('Email').fill(server.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Email or password is wrong.').waitFor();

  await page.getByLabel('Password').fill(server.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('shell').waitFor();
  assert.match(page.url(), /\/settings\/api-keys$/, 'back where the admin was going');
  assert.equal(await page.getByTestId('tenant-name').innerText(), 'Acme Field Services');
  const nav = await page.getByTestId('sidebar').innerText();
  for (const item of ['Integrations', 'Webhooks', 'Distributors', 'Issues', 'API usage', 'Settings']) {
    assert.ok(nav.includes(item), `nav shows ${item}: ${nav}`);
  }

  // Create a key; the secret is shown once and works against the API.
  await page.getByTestId('api-key-row').first().waitFor();
  await page.getByLabel('Name').fill('e2e exporter');
  await page.getByTestId('create-key').click();
  const secret = (await page.getByTestId('secret').inputValue?.().catch(() => null)) ?? (await page.getByTestId('secret').innerText());
  assert.match(secret.trim(), /^slk_[0-9a-f]{48}$/);
  const res = await fetch(`${server.base}/api/v1/session`, { headers: { authorization: `Bearer ${secret.trim()}` } });
  assert.equal(res.status, 200);
  await page.keyboard.press('Escape');
  await page.getByText('e2e exporter').waitFor();
  await page.screenshot({ path: join(artifacts, 'api-keys.png'), fullPage: true });

  // A deep link reloads into the same page, still signed in.
  await page.goto(`${server.base}/usage`);
  await page.reload();
  await page.getByTestId('shell').waitFor();
  assert.match(page.url(), /\/usage$/);

  // Unknown console routes show the 404 page.
  await page.goto(`${server.base}/no/such/page`);
  await page.getByTestId('not-found').waitFor();

  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await page.close();
});
