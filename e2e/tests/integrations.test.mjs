// Integrations as an admin meets them in an incident, against the server's own fake providers
// (server/src/fakes/, the ones the server tests and the benchmark use): the server runs with
// `--demo`, which starts them on loopback and configures Autotask, HubSpot, Salesforce and
// Apollo.io for the demo tenant; a journey steers a fake through `POST /__fake/control` at the
// address in the integration's saved `baseUrl` (server/src/fakes/remote.rs).
// Journeys: "Apollo.io not syncing" (a rotated key), Autotask's shared hourly threshold nearing
// 80%, a sync's live progress, a schedule that would overrun HubSpot's daily limit, and axe-core
// on every Integrations page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, signIn, artifacts, checkAxe } from '../lib/harness.mjs';

// "Demo Co" is the demo tenant's name: `--demo` configures this tenant, whose login we hold.
const env = serverAndBrowser(['--demo'], { tenantName: 'Demo Co' });

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

/** Steers the demo's fake `provider`, found at the origin of its saved `baseUrl`. */
async function steer(server, provider, body) {
  const d = (await api(server, 'GET', `/integrations/${provider}`)).body;
  const baseUrl = d.credential?.fields?.find((f) => f.name === 'baseUrl')?.value;
  assert.ok(baseUrl, `${provider} has a saved baseUrl: ${JSON.stringify(d.credential)}`);
  const res = await fetch(`${new URL(baseUrl).origin}/__fake/control`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 204, `steering ${provider} with ${JSON.stringify(body)}`);
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
  (await api(server, 'GET', `/issues?area=integrations&entity=${provider}&limit=100`)).body.items.filter((i) => i.kind === kind);

/** The demo has configured `provider` (its credentials saved after a passing test). */
const configured = (server, provider) =>
  until(`the demo to configure ${provider}`, async () => (await api(server, 'GET', `/integrations/${provider}`)).body?.credential, 30_000);

const NEW_KEY = 'apollo-rotated-key-2026-77b1';

test('"Apollo.io not syncing": a rotated key, the issue links to the form, a new key resolves it', { timeout: 120_000 }, async () => {
  const { server, chrome } = env;
  await configured(server, 'apollo');
  // Someone rotates the API key in Apollo.io: the saved one is refused from now on, as the next
  // call finds (the enrichment sync has nothing new to ask about, so a test makes that call).
  await steer(server, 'apollo', { action: 'rotate', value: NEW_KEY });
  assert.equal((await api(server, 'POST', '/integrations/apollo/test')).body.ok, false);

  const { page, errors } = await newPage(chrome, server);
  await page.goto(`${server.base}/integrations`);
  const row = page.locator('[data-testid=integration-row][data-provider=apollo]');
  // The list follows without a reload (the `integrations` stream).
  await row.getByTestId('status-badge').filter({ hasText: 'Needs attention' }).waitFor({ timeout: 30_000 });
  assert.match(await row.getByTestId('last-error').innerText(), /not logged in|Invalid access credentials/);

  // Tools > Issues has it, and its link opens the credential form, ready to type into.
  await page.goto(`${server.base}/issues?area=integrations`);
  const issue = page.getByTestId('issue-row').filter({ hasText: "Apollo.io refused Sluice's credentials" });
  await issue.first().waitFor({ timeout: 15_000 });
  await issue.first().getByTestId('issue-entity-link').click();
  await page.getByTestId('credential-form').waitFor();
  assert.match(page.url(), /\/integrations\/apollo\/credentials$/);
  await page.waitForFunction(() => document.activeElement?.id === 'cred-apiKey');
  assert.equal(await page.getByTestId('field-cred-apiKey').inputValue(), '', 'the stored key is never shown');
  assert.match(await page.getByTestId('secret-hint-apiKey').innerText(), /ends in …9c3e/);
  // The page lists the issue itself: what Apollo.io said, since when, and the fix.
  const listed = page.locator('[data-testid=integration-issue][data-kind=auth_failed]');
  await listed.waitFor({ timeout: 15_000 });
  assert.match(await listed.getByTestId('integration-issue-message').innerText(), /not logged in|Invalid access credentials/);
  assert.equal(await listed.getByTestId('issue-fix').innerText(), 'Replace the credentials');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await listed.getByTestId('issue-fix').click();
  await page.waitForFunction(() => document.activeElement?.id?.startsWith('cred-'));
  await checkAxe(page, 'integration page with a failing credential');
  await page.screenshot({ path: join(artifacts, 'integrations-apollo-needs-attention.png'), fullPage: true });

  // A new key: tested before it is saved, then the issue resolves itself.
  await page.getByTestId('field-cred-apiKey').fill(NEW_KEY);
  await page.getByTestId('save-credentials').click();
  await page.getByTestId('credentials-saved').waitFor({ timeout: 20_000 });
  // The steps' code arrives with the first result shown (a chunk of its own).
  await page.locator('[data-testid=test-step]').first().waitFor();
  assert.equal(await page.locator('[data-testid=test-step][data-outcome=passed]').count(), 3);
  await until('the auth issue to resolve', async () => (await activeIssues(server, 'auth_failed', 'apollo')).length === 0);
  await listed.waitFor({ state: 'detached', timeout: 15_000 });
  await page
    .locator('[data-testid=integration-status] [data-testid=status-badge]')
    .filter({ hasNotText: 'Needs attention' })
    .waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(artifacts, 'integrations-apollo-fixed.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('Autotask nears 80% of its hourly threshold: the issue names the top caller, pausing it lets usage fall', { timeout: 150_000 }, async () => {
  const { server, chrome } = env;
  await configured(server, 'autotask');
  // The demo's catalogue sync has been calling; other tools on the same Autotask database have
  // just used most of the rest of the hour, so the next reading is at ~82%.
  await until('the demo\'s first catalogue run', async () => {
    const runs = (await api(server, 'GET', '/integrations/autotask/runs?sync=products')).body.items;
    return runs.some((r) => r.outcome === 'succeeded');
  }, 60_000);
  assert.equal((await api(server, 'POST', '/integrations/autotask/test')).body.ok, true);
  const used = (await api(server, 'GET', '/integrations/autotask')).body.summary.usage.used;
  await steer(server, 'autotask', { action: 'others', value: String(8_200 - used) });
  assert.equal((await api(server, 'POST', '/integrations/autotask/test')).body.ok, true);
  const [usage] = await until('the usage issue', async () => {
    const found = await activeIssues(server, 'usage_threshold', 'autotask');
    return found.length ? found : null;
  });
  assert.match(usage.message, /Product catalogue sync/i, usage.message);

  const { page, errors } = await newPage(chrome, server);
  await page.goto(`${server.base}/issues?area=integrations`);
  const row = page.getByTestId('issue-row').filter({ hasText: 'Autotask' }).filter({ hasText: /product catalogue sync/i });
  await row.first().waitFor();
  await page.screenshot({ path: join(artifacts, 'integrations-autotask-usage-issue.png'), fullPage: true });
  await row.first().getByTestId('issue-entity-link').click();
  await page.getByTestId('integration-usage').waitFor();
  assert.match(await page.getByTestId('top-caller').innerText(), /Product catalogue sync/);
  assert.match(await page.locator('[data-testid=integration-usage] [data-testid=usage-text]').innerText(), /of 10,000 calls in the last 60 minutes \((8\d|9\d)%\)/);

  // Pause the top caller from the issue: it makes no more calls.
  const listed = page.locator('[data-testid=integration-issue][data-kind=usage_threshold]');
  await listed.waitFor({ timeout: 15_000 });
  assert.equal(await listed.getByTestId('issue-fix').innerText(), 'Pause Product catalogue sync');
  await listed.getByTestId('issue-fix').click();
  const products = page.locator('[data-testid=sync-row][data-sync=products]');
  await products.getByTestId('sync-state').filter({ hasText: 'Paused' }).waitFor({ timeout: 15_000 });
  // The hour rolls on (the fake's window shortened to 10 s): the others' calls leave it.
  await steer(server, 'autotask', { action: 'window', value: '10' });
  await new Promise((r) => setTimeout(r, 10_500));
  // Test connection is on the overview, with the week's calls per hour.
  await page.getByTestId('tab-overview').click();
  await page.getByTestId('test-connection').click();
  await page.getByTestId('test-result').waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => /\((\d|[1-6]\d)%\)/.test(document.querySelector('[data-testid=integration-usage] [data-testid=usage-text]')?.textContent || ''), null, { timeout: 20_000 });
  // Measured below 70%: the usage issue resolves itself.
  await until('the usage issue to resolve', async () => (await activeIssues(server, 'usage_threshold', 'autotask')).length === 0);
  await listed.waitFor({ state: 'detached', timeout: 15_000 });
  await checkAxe(page, 'Autotask integration page');
  await page.screenshot({ path: join(artifacts, 'integrations-autotask-paused.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a sync in progress shows its records, calls and elapsed time live', { timeout: 90_000 }, async () => {
  const { server, chrome } = env;
  await configured(server, 'autotask');
  const { page, errors } = await newPage(chrome, server);
  await page.goto(`${server.base}/integrations/autotask/syncs`);
  await page.getByTestId('recent-runs').waitFor();
  // Each Autotask answer takes 150 ms: the company sync's 30 pages take a few seconds.
  await steer(server, 'autotask', { action: 'slow', ms: 150 });
  try {
    const started = await until('the company sync to start', async () => {
      const res = await api(server, 'POST', '/integrations/autotask/syncs/companies/run');
      return res.status === 202 ? res.body : null;
    }, 150_000);
    const live = page.locator('[data-testid=run-row][data-outcome=running] [data-testid=run-progress]');
    await live.filter({ hasText: /^[1-9][\d,]* records read, [1-9]\d* calls so far, .+ elapsed$/ }).waitFor({ timeout: 20_000 });
    const first = await live.innerText();
    await page.screenshot({ path: join(artifacts, 'integrations-sync-progress.png'), fullPage: true });
    // It moves on without a reload, then the run ends as succeeded.
    await page.waitForFunction((seen) => {
      const now = document.querySelector('[data-testid=run-row][data-outcome=running] [data-testid=run-progress]')?.textContent;
      return now && now !== seen;
    }, first, { timeout: 20_000 });
    await until('the run to finish', async () => {
      const runs = (await api(server, 'GET', '/integrations/autotask/runs?sync=companies')).body.items;
      return runs.find((r) => r.id === started.id && r.outcome === 'succeeded');
    }, 60_000);
  } finally {
    await steer(server, 'autotask', { action: 'heal' });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a cadence whose projection exceeds HubSpot\'s daily limit is stopped before it is saved', { timeout: 90_000 }, async () => {
  const { server, chrome } = env;
  await configured(server, 'hubspot');
  // A small daily limit, so that running any sync every minute would overrun it.
  await steer(server, 'hubspot', { action: 'limit', value: '1000' });
  assert.equal((await api(server, 'POST', '/integrations/hubspot/test')).body.ok, true);
  const before = (await api(server, 'GET', '/integrations/hubspot')).body.syncs.find((s) => s.sync === 'contacts');

  const { page, errors } = await newPage(chrome, server);
  await page.goto(`${server.base}/integrations/hubspot/syncs`);
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
    await page.getByTestId('integration-overview').waitFor();
    await checkAxe(page, `the ${provider} overview`);
    await page.getByTestId('tab-credentials').click();
    await page.getByTestId('credential-form').waitFor();
    await checkAxe(page, `the ${provider} credentials`);
    await page.getByTestId('tab-syncs').click();
    await page.getByTestId('sync-table').waitFor();
    await checkAxe(page, `the ${provider} syncs`);
  }
  await page.goto(`${server.base}/integrations/apollo`);
  assert.match(await page.getByTestId('integration-help').innerText(), /small or new companies is expected/);
  assert.deepEqual(errors, []);
  await page.close();
});
