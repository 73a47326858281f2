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

/** Starts a server; `args` are extra flags such as ['--rate-limit', '20/30']. */
export async function startServer(args = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
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
  const tenant = provision('Acme Field Services', 'admin@acme.test');
  const child = spawn(bin, ['--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--dist-dir', dist, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'sluice_server=info' },
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
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
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
 * A server (with extra flags `args`) and a browser for one test file: started before its tests,
 * stopped after. Read `env.server` and `env.chrome` inside the tests.
 */
export function serverAndBrowser(args = []) {
  const env = {};
  before(async () => {
    env.server = await startServer(args);
    env.chrome = await launchBrowser();
  });
  after(async () => {
    await env.chrome?.close();
    await env.server?.stop();
  });
  return env;
}
