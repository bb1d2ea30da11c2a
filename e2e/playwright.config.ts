import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The server under test: the release binary built by scripts/build.sh, on a fresh SQLite
// database seeded with the demo network, on a port of its own.
const bin = process.env.ATTEST_BIN ?? '../target/release/attest';
const siteRoot = process.env.ATTEST_SITE_ROOT ?? '../target/site';
const port = Number(process.env.E2E_PORT ?? 3917);
// Workers load this file again: they inherit the directory the main process made.
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'attest-e2e-'));
process.env.E2E_DATA_DIR = dataDir;
const baseURL = `http://127.0.0.1:${port}`;
// Tests that start a second server (the CAPA journey, 30 days later) need the same database.
process.env.E2E_DATABASE_URL = `sqlite://${dataDir}/attest.db`;
process.env.E2E_BIN = bin;
process.env.E2E_SITE_ROOT = siteRoot;

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'desktop', use: { viewport: { width: 1280, height: 800 } } },
    { name: 'tablet', use: { viewport: { width: 820, height: 1180 }, hasTouch: true } },
  ],
  webServer: {
    command: `"${bin}" seed demo && exec "${bin}" serve`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      ATTEST_DATABASE_URL: `sqlite://${dataDir}/attest.db`,
      ATTEST_ADDR: `127.0.0.1:${port}`,
      ATTEST_SITE_ROOT: siteRoot,
      RUST_LOG: process.env.E2E_LOG ?? 'warn',
    },
  },
});
