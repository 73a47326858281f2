// Webhooks as an admin meets them in an incident, against a real receiver on 127.0.0.1 that
// checks Standard Webhooks signatures the way a tenant's code would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, signIn, artifacts, checkAxe, startReceiver } from '../lib/harness.mjs';

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

async function newPage(chrome) {
  const page = await chrome.browser.newPage({ viewport: { width: 1360, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { page, errors };
}

test('"webhooks are not firing": the switch is off, the page says so, turn it on, the test event arrives', { timeout: 120_000 }, async () => {
  const { server, chrome } = env;
  const receiver = await startReceiver(() => 200);
  const { page, errors } = await newPage(chrome);
  await signIn(page, server);
  await page.getByTestId('shell').waitFor();
  await page.goto(`${server.base}/webhooks`);
  await page.getByTestId('webhooks-overview').waitFor();
  assert.equal(await page.getByTestId('webhooks-switch').getAttribute('aria-checked'), 'false');
  assert.match(await page.getByTestId('nothing-sent').innerText(), /turned off|nothing/i);

  // Add the endpoint: its secret is shown once.
  await page.getByTestId('add-endpoint').click();
  await page.getByLabel('URL').fill(receiver.url);
  await page.getByLabel('Description').fill('Order system');
  await page.getByTestId('create-endpoint').click();
  const secret = (await page.getByTestId('endpoint-secret').inputValue()).trim();
  assert.match(secret, /^whsec_/);
  await page.getByTestId('secret-stored').click();
  const row = page.getByTestId('endpoint-row').filter({ hasText: receiver.url });
  await row.waitFor();
  // Still off: the page keeps saying nothing will be sent.
  await page.getByTestId('nothing-sent').waitFor();

  await page.getByTestId('webhooks-switch').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=webhooks-switch]')?.getAttribute('aria-checked') === 'true');
  await page.getByTestId('nothing-sent').waitFor({ state: 'detached' });
  await row.getByTestId('send-test').click();
  const outcome = page.getByTestId('test-outcome'); // in the row below the endpoint's
  await outcome.waitFor();
  assert.match(await outcome.innerText(), /200/);
  const got = receiver.requests.filter((r) => r.json.type === 'sluice.test');
  assert.equal(got.length, 1, 'the test event arrived once');
  assert.ok(receiver.verify(secret, got[0]), 'and its signature verifies with the secret shown');
  await checkAxe(page, 'webhooks overview');
  await page.screenshot({ path: join(artifacts, 'webhooks-not-firing.png'), fullPage: true });
  assert.deepEqual(errors, []);
  // Later journeys publish order events; this receiver is gone by then.
  const id = await row.getAttribute('data-endpoint-id');
  await page.close();
  assert.equal((await api(server, 'DELETE', `/webhooks/endpoints/${id}`)).status, 204);
  await receiver.close();
});

test('an endpoint answers 500, then times out; once fixed, "Retry all failed since" delivers every event once', { timeout: 180_000 }, async () => {
  const { server, chrome } = env;
  let mode = 'error';
  const receiver = await startReceiver(() => (mode === 'error' ? 500 : mode === 'hang' ? 'hang' : 200));
  // A short schedule so the journey fits in a test: one retry after 1 s, 2 s timeout.
  await api(server, 'PUT', '/webhooks/settings', { enabled: true, retryScheduleSecs: [1], timeoutSecs: 2 });
  await api(server, 'POST', '/events', { type: 'order.created', data: { warmup: true } });
  const ep = await api(server, 'POST', '/webhooks/endpoints', { url: receiver.url, description: 'Warehouse', eventTypes: ['order.created'] });
  assert.equal(ep.status, 201);
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const res = await api(server, 'POST', '/events', { type: 'order.created', data: { orderId: `SO-${i}` } });
    ids.push(res.body.eventId);
  }
  // First attempts answer 500; then the receiver hangs, so the retries time out.
  while (receiver.requests.length < 3) await new Promise((r) => setTimeout(r, 50));
  mode = 'hang';
  const deadline = Date.now() + 30_000;
  for (;;) {
    const failed = await api(server, 'GET', `/webhooks/deliveries?status=failed&endpointId=${ep.body.id}`);
    if (failed.body.items.length === 3) break;
    assert.ok(Date.now() < deadline, 'the deliveries should fail after their retry');
    await new Promise((r) => setTimeout(r, 200));
  }

  const { page, errors } = await newPage(chrome);
  await signIn(page, server);
  await page.getByTestId('shell').waitFor();
  await page.goto(`${server.base}/webhooks/deliveries?status=failed&endpointId=${ep.body.id}`);
  await page.getByTestId('deliveries-page').waitFor();
  await page.getByTestId('delivery-link').first().waitFor();
  // The attempt detail says what went wrong, in words.
  await page.getByTestId('delivery-link').first().click();
  await page.getByTestId('delivery-detail').waitFor();
  const attemptErrors = await page.getByTestId('attempt-error').allInnerTexts();
  assert.ok(attemptErrors.some((e) => /timed out after 2 s/.test(e)), attemptErrors.join(' | '));
  assert.ok(attemptErrors.some((e) => /HTTP 500/.test(e)), attemptErrors.join(' | '));
  await checkAxe(page, 'delivery detail');
  await page.goBack();
  await page.getByTestId('deliveries-page').waitFor();

  // The receiver is fixed: preview, confirm, and watch it finish.
  mode = 'ok';
  await page.getByTestId('retry-failed').click();
  await page.getByTestId('retry-preview').waitFor();
  await page.waitForFunction(() => /\b3\b/.test(document.querySelector('[data-testid=retry-preview]')?.textContent || ''));
  await page.getByTestId('confirm-retry-failed').click();
  await page.getByTestId('retry-progress').waitFor();
  await page.waitForFunction(() => /Done: 3 of 3 delivered/.test(document.querySelector('[data-testid=retry-progress]')?.textContent || ''), null, { timeout: 30_000 });
  const delivered = receiver.requests.filter((r) => r.answered === 200);
  for (const id of ids) {
    assert.equal(delivered.filter((r) => r.id === id).length, 1, `event ${id} delivered exactly once`);
  }
  await checkAxe(page, 'delivery log');
  await page.screenshot({ path: join(artifacts, 'webhooks-retry-failed.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
  await api(server, 'DELETE', `/webhooks/endpoints/${ep.body.id}`);
  await receiver.close();
});

test('rotating a secret: the receiver verifies with the old and the new one during the grace day', { timeout: 120_000 }, async () => {
  const { server, chrome } = env;
  const receiver = await startReceiver(() => 200);
  await api(server, 'PUT', '/webhooks/settings', { enabled: true });
  const created = await api(server, 'POST', '/webhooks/endpoints', { url: receiver.url, description: 'Billing' });
  const oldSecret = created.body.secret;
  const { page, errors } = await newPage(chrome);
  await signIn(page, server);
  await page.getByTestId('shell').waitFor();
  await page.goto(`${server.base}/webhooks`);
  const row = page.getByTestId('endpoint-row').filter({ hasText: 'Billing' });
  await row.waitFor();
  await row.getByTestId('rotate-secret').click();
  await page.getByTestId('confirm-rotate').click();
  const newSecret = (await page.getByTestId('endpoint-secret').inputValue()).trim();
  assert.match(newSecret, /^whsec_/);
  assert.notEqual(newSecret, oldSecret);
  assert.match(await page.getByTestId('secret-note').innerText(), /24 hours/);
  await page.screenshot({ path: join(artifacts, 'webhooks-rotate.png'), fullPage: true });
  await page.getByTestId('secret-stored').click();

  await api(server, 'POST', '/events', { type: 'invoice.paid', data: { invoiceId: 'INV-1' } });
  const deadline = Date.now() + 15_000;
  while (!receiver.requests.some((r) => r.json.type === 'invoice.paid')) {
    assert.ok(Date.now() < deadline, 'the event should arrive');
    await new Promise((r) => setTimeout(r, 50));
  }
  const got = receiver.requests.find((r) => r.json.type === 'invoice.paid');
  assert.ok(receiver.verify(oldSecret, got), 'a receiver still on the old secret verifies');
  assert.ok(receiver.verify(newSecret, got), 'a receiver already on the new secret verifies');
  assert.deepEqual(errors, []);
  await page.close();
  await receiver.close();
});
