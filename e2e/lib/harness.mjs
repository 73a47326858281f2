// Starts the real sluice-server on a free port with a temp data dir, provisions a tenant with
// the operators' CLI, and drives Debian's Chromium with playwright-core. Everything talks to
// 127.0.0.1 only and stops by itself.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const artifacts = join(here, '..', 'artifacts');
const bin = process.env.SLUICE_BIN || join(root, 'target', 'debug', 'sluice-server');
const dist = process.env.SLUICE_DIST || join(root, 'dist');
export const PASSWORD = 'e2e password 12345';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * Starts a server; `args` are extra flags such as ['--rate-limit', '20/30']. `opts.env` adds
 * environment variables (e.g. SLUICE_CLOCK_OFFSET_MS); `opts.reuse` is a stopped server
 * (stopped with `{ keepData: true }`) whose data dir and tenant this one takes over: a restart.
 * `opts.tenantName` names the provisioned tenant: with `--demo`, "Demo Co" makes the demo use
 * it (its integrations, fakes and syncs), and the test holds its login and API key.
 */
export async function startServer(args = [], opts = {}) {
  const dataDir = opts.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  const port = await freePort();
  const provision = (name, email) => {
    const out = execFileSync(bin, ['tenant', 'create', '--data-dir', dataDir, '--name', name, '--admin-email', email], {
      input: PASSWORD + '\n',
      encoding: 'utf8',
    });
    const first = out.split('\n')[0];
    if (!first.startsWith('apiKey=')) throw new Error(`unexpected CLI output: ${out}`);
    return { apiKey: first.slice('apiKey='.length), tenantId: out.match(/tenantId=(\S+)/)[1] };
  };
  const tenant = opts.reuse?.tenant ?? provision(opts.tenantName ?? 'Acme Field Services', 'admin@acme.test');
  const child = spawn(bin, ['--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--dist-dir', dist, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'sluice_server=info', ...(opts.env ?? {}) },
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    tenant,
    email: 'admin@acme.test',
    password: PASSWORD,
    dataDir,
    log: () => log,
    provision,
    async stop({ keepData = false } = {}) {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  mkdirSync(artifacts, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'sluice-chromium-'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form. */
export async function signIn(page, server) {
  await page.goto(`${server.base}/login`);
  await page.getByLabel('Email').fill(server.email);
  await page.getByLabel('Password').fill(server.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * A server (with extra flags `args`, `opts` as startServer's) and a browser for one test file: started before its tests,
 * stopped after. Read `env.server` and `env.chrome` inside the tests.
 */
export function serverAndBrowser(args = [], opts = {}) {
  const env = {};
  before(async () => {
    env.server = await startServer(args, opts);
    env.chrome = await launchBrowser();
  });
  after(async () => {
    await env.chrome?.close();
    await env.server?.stop();
  });
  return env;
}

const axeSource = join(here, '..', 'node_modules', 'axe-core', 'axe.min.js');

/**
 * Runs axe-core on the page and fails on any serious or critical violation. It is evaluated
 * through DevTools, which the console's Content-Security-Policy (no inline scripts) allows.
 */
export async function checkAxe(page, what) {
  const { readFileSync } = await import('node:fs');
  await page.evaluate(readFileSync(axeSource, 'utf8'));
  const results = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const describe = bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
  if (bad.length) throw new Error(`axe-core on ${what}:\n${describe.join('\n')}`);
}

/**
 * A webhook receiver on 127.0.0.1, as a tenant would run one: records every request and
 * answers `answer(n)` — a status, or 'hang' to never answer. `verify(secret, request)` checks a
 * Standard Webhooks signature from the spec (HMAC-SHA256 of "id.timestamp.body").
 */
export async function startReceiver(answer) {
  const { createServer: createHttp } = await import('node:http');
  const { createHmac } = await import('node:crypto');
  const requests = [];
  const hanging = new Set();
  const server = createHttp((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry = {
        id: req.headers['webhook-id'],
        timestamp: req.headers['webhook-timestamp'],
        signature: req.headers['webhook-signature'] || '',
        body,
        json: JSON.parse(body.toString('utf8') || 'null'),
        answered: null,
      };
      requests.push(entry);
      const a = answer(requests.length - 1);
      if (a === 'hang') {
        hanging.add(res);
        return;
      }
      entry.answered = a;
      res.writeHead(a, { 'content-type': 'text/plain' });
      res.end(a >= 400 ? 'receiver error' : 'ok');
    });
  });
  // Never keep the test process alive: a journey that fails before close() must still end.
  server.on('connection', (socket) => socket.unref());
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    verify(secret, r) {
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      const expected = createHmac('sha256', key).update(`${r.id}.${r.timestamp}.`).update(r.body).digest('base64');
      return r.signature.split(' ').some((s) => s === `v1,${expected}`);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}
