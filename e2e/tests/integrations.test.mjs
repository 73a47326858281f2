// Integrations as an admin meets them in an incident, against local fake providers on 127.0.0.1
// (e2e/lib/providers.mjs) that the server reaches through each integration's `baseUrl`:
// "HubSpot not syncing" (a revoked token), Autotask's shared hourly threshold nearing 80%, a
// schedule that would overrun HubSpot's daily limit, and axe-core on every Integrations page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, signIn, artifacts, checkAxe } from '../lib/harness.mjs';
import { startHubspot, startAutotask } from '../lib/providers.mjs';

// The fakes listen on loopback, which the SSRF guard refuses unless told otherwise.
const env = serverAndBrowser(['--allow-private-targets']);

/** The tenant's API, as a script would call it. */
async function api(server, method, path, body) {
  const res = await fetch(`${server.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${server.tenant.apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function until(what, check, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function newPage(chrome, server) {
  const page = await chrome.browser.newPage({ viewport: { width: 1360, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, server);
  await page.getByTestId('shell').waitFor();
  return { page, errors };
}

const activeIssues = async (server, kind, provider) =>
  (await api(server, 'GET', '/issues?area=integrations&limit=100')).body.items.filter(
    (i) => i.kind === kind && i.entity.id === provider,
  );

const OLD_TOKEN = 'pat-na1-0b7e5c31-old-token-4f2a';
const NEW_TOKEN = 'pat-na1-8c2d19aa-new-token-77b1';

test('"HubSpot not syncing": a revoked token, the issue links to the form, a new token resolves it', { timeout: 120_000 }, async () => {
  const { server, chrome } = env;
  const hubspot = await startHubspot({ token: OLD_TOKEN });
  const saved = await api(server, 'PUT', '/integrations/hubspot/credentials', { fields: { accessToken: OLD_TOKEN, baseUrl: hubspot.base } });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  assert.equal(saved.body.saved, true, JSON.stringify(saved.body));

  const { page, errors } = await newPage(chrome, server);
  await page.goto(`${server.base}/integrations`);
  const row = page.locator('[data-testid=integration-row][data-provider=hubspot]');
  await row.getByTestId('status-badge').filter({ hasText: 'Connected' }).waitFor();

  // Someone revokes the private app's token in HubSpot; the next sync is refused.
  hubspot.acceptToken(NEW_TOKEN);
  assert.equal((await api(server, 'POST', '/integrations/hubspot/syncs/contacts/run')).status, 202);
  // The list follows without a reload (the `integrations` stream).
  await row.getByTestId('status-badge').filter({ hasText: 'Needs attention' }).waitFor({ timeout: 20_000 });
  assert.match(await row.getByTestId('last-error').innerText(), /Authentication credentials not found/);

  // Tools > Issues has it, and its link opens the credential form, ready to type into.
  await page.goto(`${server.base}/issues?area=integrations`);
  const issue = page.getByTestId('issue-row').filter({ hasText: 'HubSpot' });
  await issue.first().waitFor({ timeout: 15_000 });
  await issue.first().getByTestId('issue-entity-link').click();
  await page.getByTestId('credential-form').waitFor();
  assert.match(page.url(), /\/integrations\/hubspot\?focus=credentials$/);
  await page.waitForFunction(() => document.activeElement?.id === 'cred-accessToken');
  assert.equal(await page.getByTestId('field-cred-accessToken').inputValue(), '', 'the stored token is never shown');
  assert.match(await page.getByTestId('secret-hint-accessToken').innerText(), /ends in …4f2a/);
  assert.ok(!(await page.content()).includes(OLD_TOKEN), 'the old token is nowhere in the page');
  await checkAxe(page, 'integration page with a failing credential');
  await page.screenshot({ path: join(artifacts, 'integrations-hubspot-needs-attention.png'), fullPage: true });

  // A new token: tested before it is saved, then the issue resolves itself.
  await page.getByTestId('field-cred-accessToken').fill(NEW_TOKEN);
  await page.getByTestId('save-credentials').click();
  await page.getByTestId('credentials-saved').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('[data-testid=test-step][data-outcome=passed]').count(), 3);
  await until('the auth issue to resolve', async () => (await activeIssues(server, 'auth_failed', 'hubspot')).length === 0);
  await page.getByTestId('open-issue-count').filter({ hasText: 'Nothing is wrong with HubSpot' }).waitFor({ timeout: 15_000 });
  await page.locator('[data-testid=integration-overview] [data-testid=status-badge]').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(artifacts, 'integrations-hubspot-fixed.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
  await hubspot.close();
});

test('Autotask nears 80% of its hourly threshold: the issue names the top caller, pausing it lets usage fall', { timeout: 150_000 }, async () => {
  const { server, chrome } = env;
  // A 20-second "hour", so the rolling window can drain within a test.
  const creds = { username: 'api-user@acme.test', secret: 'autotask-secret-2026', code: 'SLUICETRACKINGIDENTIFIER27' };
  const autotask = await startAutotask({ ...creds, records: 1_500, windowMs: 20_000 });
  const saved = await api(server, 'PUT', '/integrations/autotask/credentials', {
    fields: { username: creds.username, secret: creds.secret, integrationCode: creds.code, baseUrl: `${autotask.base}/atservicesrest` },
  });
  assert.equal(saved.body?.saved, true, JSON.stringify(saved.body));
  // Other tools on the same Autotask database have just used most of the hour.
  autotask.othersCall(8_050);
  assert.equal((await api(server, 'POST', '/integrations/autotask/syncs/products/run')).status, 202);
  const [usage] = await until('the usage issue', async () => {
    const found = await activeIssues(server, 'usage_threshold', 'autotask');
    return found.length ? found : null;
  });
  assert.match(usage.message, /Product catalogue sync/i, usage.message);

  const { page, errors } = await newPage(chrome, server);
  await page.goto(`${server.base}/issues?area=integrations`);
  const row = page.getByTestId('issue-row').filter({ hasText: 'Autotask' });
  await row.first().waitFor();
  assert.match(await row.first().getByTestId('issue-message').innerText(), /product catalogue sync/i);
  await page.screenshot({ path: join(artifacts, 'integrations-autotask-usage-issue.png'), fullPage: true });
  await row.first().getByTestId('issue-entity-link').click();
  await page.getByTestId('integration-usage').waitFor();
  assert.match(await page.getByTestId('top-caller').innerText(), /Product catalogue sync/);
  assert.match(await page.locator('[data-testid=integration-usage] [data-testid=usage-text]').innerText(), /of 10,000 calls in the last 60 minutes \((8\d|9\d)%\)/);

  // Pause the top caller: it makes no more calls, and as the window rolls on, usage falls.
  const products = page.locator('[data-testid=sync-row][data-sync=products]');
  await products.getByTestId('toggle-sync').click();
  await products.getByTestId('sync-state').filter({ hasText: 'Paused' }).waitFor();
  const before = autotask.used();
  await until('the window to roll on', async () => autotask.used() < before * 0.5, 40_000);
  await page.getByTestId('test-connection').click();
  await page.getByTestId('test-result').waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => /\((\d|[1-6]\d)%\)/.test(document.querySelector('[data-testid=integration-usage] [data-testid=usage-text]')?.textContent || ''), null, { timeout: 20_000 });
  // Measured below 70%: the usage issue resolves itself.
  await until('the usage issue to resolve', async () => (await activeIssues(server, 'usage_threshold', 'autotask')).length === 0);
  await page.getByTestId('open-issue-count').filter({ hasText: 'Nothing is wrong with Autotask' }).waitFor({ timeout: 15_000 });
  await checkAxe(page, 'Autotask integration page');
  await page.screenshot({ path: join(artifacts, 'integrations-autotask-paused.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
  await autotask.close();
});

test('a cadence whose projection exceeds HubSpot\'s daily limit is stopped before it is saved', { timeout: 90_000 }, async () => {
  const { server, chrome } = env;
  // A small daily limit, so that running any sync every minute would overrun it.
  const hubspot = await startHubspot({ token: NEW_TOKEN, dailyLimit: 1_000 });
  const saved = await api(server, 'PUT', '/integrations/hubspot/credentials', { fields: { accessToken: NEW_TOKEN, baseUrl: hubspot.base } });
  assert.equal(saved.body?.saved, true, JSON.stringify(saved.body));
  const before = (await api(server, 'GET', '/integrations/hubspot')).body.syncs.find((s) => s.sync === 'contacts');

  const { page, errors } = await newPage(chrome, server);
  await page.goto(`${server.base}/integrations/hubspot`);
  await page.locator('[data-testid=integration-usage] [data-testid=usage-text]').filter({ hasText: 'of 1,000 calls' }).waitFor({ timeout: 15_000 });
  const contacts = page.locator('[data-testid=sync-row][data-sync=contacts]');
  await contacts.getByTestId('edit-cadence').click();
  await page.getByTestId('cadence-input').fill('1');
  const projection = page.getByTestId('projection');
  await page.waitForFunction(() => document.querySelector('[data-testid=projection]')?.dataset.level === 'over');
  assert.match(await projection.innerText(), /of HubSpot's 1,000 daily calls/);
  await page.getByTestId('save-cadence').click();
  const dialog = page.getByTestId('over-limit-dialog');
  await dialog.waitFor();
  await checkAxe(page, 'over-limit confirmation');
  await page.screenshot({ path: join(artifacts, 'integrations-cadence-over-limit.png'), fullPage: true });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  const after = (await api(server, 'GET', '/integrations/hubspot')).body.syncs.find((s) => s.sync === 'contacts');
  assert.equal(after.cadenceMinutes, before.cadenceMinutes, 'nothing was saved');
  // The server applies the same projection: without the confirmation it refuses too.
  const refused = await api(server, 'PATCH', '/integrations/hubspot/syncs/contacts', { cadenceMinutes: 1 });
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'over_provider_limit');
  assert.deepEqual(errors, []);
  await page.close();
  await hubspot.close();
});

test('axe-core finds no serious or critical violation on any Integrations page', { timeout: 90_000 }, async () => {
  const { server, chrome } = env;
  const { page, errors } = await newPage(chrome, server);
  await page.goto(`${server.base}/integrations`);
  await page.getByTestId('integration-table').waitFor();
  await checkAxe(page, 'the Integrations list');
  await page.screenshot({ path: join(artifacts, 'integrations-list.png'), fullPage: true });
  for (const provider of ['autotask', 'hubspot', 'salesforce', 'apollo']) {
    await page.goto(`${server.base}/integrations/${provider}`);
    await page.getByTestId('credential-form').waitFor();
    await checkAxe(page, `the ${provider} integration page`);
  }
  assert.match(await page.getByTestId('integration-help').innerText(), /small or new companies is expected/);
  assert.deepEqual(errors, []);
  await page.close();
});
