// Slow-link benchmark: Attest in a real browser on a thin field link.
//
// What it measures. Debian's headless Chromium, throttled through the DevTools protocol to
// 400 ms latency and 400 kbit/s (50,000 bytes/s) down and up, opens three pages, each first
// COLD (a fresh browser context: empty HTTP cache, no service worker; it only receives the
// session cookies of a sign-in done beforehand without throttling) and then WARM (the same URL
// again in the same context):
//   1. the sign-in page /login, signed out;
//   2. the regional dashboard /dashboard/region/EHA as rm.eha@attest.example;
//   3. the conduct page /audits/{id}/conduct of an audit in progress, as qo@attest.example
//      (the id comes from GET /api/v1/audits?state=in_progress with the signed-in cookie).
// For each visit it records: bytes transferred (sum of CDP Network.loadingFinished
// encodedDataLength, which counts response headers too, plus redirect hops and the bytes of
// failed loads) and the number of requests (those served from the HTTP cache count 0 bytes);
// the 5 largest responses (path, bytes, content-encoding); first render
// (first-contentful-paint, from navigation start); interactive (performance.now() when
// <body> gets data-hydrated="true", the WebAssembly client's signal that it has taken over,
// seen by a MutationObserver installed with an init script; "never" when it does not appear
// within 120 s; called "client started" in the table); the document's HTTP status and final
// URL. Then a third, separate cold visit taps the page's main control as soon as the browser lets
// it (Sign in with the credentials typed; a column heading of the dashboard's table; an unanswered
// answer button of the checklist) and records "tap handled": when the tap was acted on (the form
// posted, the sorted page requested, the answer shown as given and kept on the device), and on the
// conduct page also when the server has the answer. Bytes
// include what the page still fetches after becoming interactive (the visit ends when the
// network has been quiet for 2 s, at most 30 s after interactive).
//
// It is a measurement, not a test: it never judges timings. It exits non-zero only when a page
// fails to load (network error, HTTP status >= 400, or a signed-in page sent back to /login) or
// a sign-in fails.
//
// How to run it. Start a release server (scripts/run.sh, or `attest seed demo` then
// `attest serve` with ATTEST_ADDR=127.0.0.1:3990), keep the machine otherwise idle, then from
// the repository root (needs `npm ci` in e2e/ once, for @playwright/test; no browser download):
//   node e2e/bench/slow-link.mjs --base http://127.0.0.1:3990 [--json out.json] [--runs N]
// --runs N (default 1) repeats every measurement N times and reports the median. It prints a
// Markdown table; --json also writes every raw figure (each request of each visit). One page's
// three visits take about a minute today.

import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// @playwright/test lives in e2e/node_modules; resolve it from there wherever we are run from.
const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'));
const { chromium } = require('@playwright/test');

const PASSWORD = 'attest-demo-2026';
const PROFILE = {
  offline: false,
  latency: 400, // ms, added to every request's round trip
  downloadThroughput: 50_000, // bytes/s = 400 kbit/s
  uploadThroughput: 50_000,
};
const HYDRATION_LIMIT_MS = 120_000;
const LOAD_LIMIT_MS = 180_000;
const QUIET_MS = 2_000;
const QUIET_LIMIT_MS = 30_000;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const args = { base: null, json: null, runs: 1 };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--base' || a.startsWith('--base=')) args.base = value();
    else if (a === '--json' || a.startsWith('--json=')) args.json = value();
    else if (a === '--runs' || a.startsWith('--runs=')) args.runs = Number(value());
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  if (!args.base) usage('--base is required');
  if (!Number.isInteger(args.runs) || args.runs < 1) usage('--runs takes a whole number >= 1');
  args.base = args.base.replace(/\/+$/, '');
  return args;
}

function usage(problem) {
  if (problem) console.error(`slow-link: ${problem}`);
  console.error('usage: node e2e/bench/slow-link.mjs --base http://127.0.0.1:3990 [--json out.json] [--runs N]');
  process.exit(problem ? 2 : 0);
}

class Failure extends Error {}

const log = (...parts) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);

// ---------------------------------------------------------------------------------------------
// In-page probe: installed in every document before the app's scripts run.

function probe(limitMs) {
  const state = { hydratedAt: null, fcp: null };
  Object.defineProperty(window, '__slowLink', { value: state, configurable: true });
  const hydrated = () => document.body && document.body.getAttribute('data-hydrated') === 'true';
  const check = () => {
    if (state.hydratedAt === null && hydrated()) {
      state.hydratedAt = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  // document.documentElement may not exist yet when the init script runs: then watch the
  // document itself. Either way the subtree covers <body> and its attribute.
  observer.observe(document.documentElement || document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-hydrated'],
  });
  check();
  setTimeout(() => observer.disconnect(), limitMs + 10_000);
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (entry.name === 'first-contentful-paint' && state.fcp === null) state.fcp = entry.startTime;
      }
    }).observe({ type: 'paint', buffered: true });
  } catch {
    // Older engines: read performance.getEntriesByType('paint') afterwards instead.
  }
}

// ---------------------------------------------------------------------------------------------
// Network accounting through CDP

class NetworkLog {
  constructor(cdp) {
    this.requests = new Map();
    this.lastActivity = Date.now();
    const touch = () => {
      this.lastActivity = Date.now();
    };
    cdp.on('Network.requestWillBeSent', (e) => {
      touch();
      if (!/^https?:/.test(e.request.url)) return;
      let r = this.requests.get(e.requestId);
      if (r && e.redirectResponse) {
        // A redirect hop reuses the request id: keep its bytes, then follow the new URL.
        r.redirectBytes += e.redirectResponse.encodedDataLength || 0;
        r.redirects.push({ url: r.url, status: e.redirectResponse.status });
        r.url = e.request.url;
        return;
      }
      r = {
        url: e.request.url,
        type: e.type || null,
        status: null,
        encoding: null,
        mimeType: null,
        fromCache: false,
        fromServiceWorker: false,
        redirects: [],
        redirectBytes: 0,
        dataBytes: 0,
        bytes: 0,
        finished: false,
        failed: null,
      };
      this.requests.set(e.requestId, r);
    });
    cdp.on('Network.requestServedFromCache', (e) => {
      touch();
      const r = this.requests.get(e.requestId);
      if (r) r.fromCache = true;
    });
    cdp.on('Network.responseReceived', (e) => {
      touch();
      const r = this.requests.get(e.requestId);
      if (!r) return;
      const res = e.response;
      r.status = res.status;
      r.mimeType = res.mimeType;
      r.type = e.type || r.type;
      r.encoding = header(res.headers, 'content-encoding');
      r.fromCache = r.fromCache || !!res.fromDiskCache || !!res.fromPrefetchCache;
      r.fromServiceWorker = !!res.fromServiceWorker;
    });
    cdp.on('Network.responseReceivedExtraInfo', (e) => {
      const r = this.requests.get(e.requestId);
      if (r && !r.encoding) r.encoding = header(e.headers, 'content-encoding');
    });
    cdp.on('Network.dataReceived', (e) => {
      touch();
      const r = this.requests.get(e.requestId);
      if (r) r.dataBytes += e.encodedDataLength || 0;
    });
    cdp.on('Network.loadingFinished', (e) => {
      touch();
      const r = this.requests.get(e.requestId);
      if (!r) return;
      r.finished = true;
      r.bytes = (e.encodedDataLength || 0) + r.redirectBytes;
    });
    cdp.on('Network.loadingFailed', (e) => {
      touch();
      const r = this.requests.get(e.requestId);
      if (!r) return;
      r.finished = true;
      r.failed = e.errorText + (e.canceled ? ' (canceled)' : '') + (e.blockedReason ? ` (${e.blockedReason})` : '');
      // No total is given for a failed load: count what arrived before it failed.
      r.bytes = r.dataBytes + r.redirectBytes;
    });
  }

  reset() {
    this.requests = new Map();
    this.lastActivity = Date.now();
  }

  inflight() {
    let n = 0;
    for (const r of this.requests.values()) if (!r.finished) n += 1;
    return n;
  }

  async quiet(limitMs) {
    const until = Date.now() + limitMs;
    while (Date.now() < until) {
      if (this.inflight() === 0 && Date.now() - this.lastActivity >= QUIET_MS) return true;
      await sleep(200);
    }
    return false;
  }

  summary() {
    const list = [...this.requests.values()].map((r) => ({
      path: pathOf(r.url),
      url: r.url,
      type: r.type,
      status: r.status,
      // A load still open when the visit ends (a stream, say) counts what it received so far.
      bytes: r.finished ? r.bytes : r.dataBytes + r.redirectBytes,
      encoding: r.encoding,
      mimeType: r.mimeType,
      fromCache: r.fromCache,
      fromServiceWorker: r.fromServiceWorker,
      redirects: r.redirects,
      failed: r.failed,
      unfinished: !r.finished,
    }));
    const bytes = list.reduce((sum, r) => sum + r.bytes, 0);
    const largest = list
      .filter((r) => r.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 5)
      .map(({ path, bytes, encoding }) => ({ path, bytes, encoding: encoding || 'none' }));
    return {
      bytes,
      requests: list.length,
      fromCache: list.filter((r) => r.fromCache).length,
      failed: list.filter((r) => r.failed).map(({ path, failed }) => ({ path, failed })),
      largest,
      all: list,
    };
  }
}

function header(headers, name) {
  if (!headers) return null;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return null;
}

function pathOf(url) {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Sign-in and finding the audit

async function signIn(browser, base, email) {
  const context = await browser.newContext({ baseURL: base });
  try {
    const page = await context.newPage();
    const response = await page.goto('/login', { timeout: 60_000 }).catch((error) => {
      throw new Failure(`${base}/login failed to load: ${error.message.split('\n')[0]}`);
    });
    if (!response || response.status() >= 400) {
      throw new Failure(`GET /login answered ${response ? response.status() : 'nothing'}`);
    }
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    try {
      await page.getByTestId('user-name').waitFor({ state: 'visible', timeout: 60_000 });
    } catch {
      throw new Failure(`sign-in as ${email} failed (still on ${page.url()})`);
    }
    const cookies = await context.cookies();
    if (cookies.length === 0) throw new Failure(`sign-in as ${email} set no cookie`);
    let inProgressAudit = null;
    if (email.startsWith('qo@')) inProgressAudit = await findAuditInProgress(context);
    return { cookies, inProgressAudit };
  } finally {
    await context.close();
  }
}

async function findAuditInProgress(context) {
  // The documented filter first; then any audit whose state is in progress, page by page.
  const tries = ['/api/v1/audits?state=in_progress&per_page=100'];
  for (let p = 1; p <= 20; p += 1) tries.push(`/api/v1/audits?per_page=100&page=${p}`);
  for (const url of tries) {
    const response = await context.request.get(url);
    if (!response.ok()) {
      throw new Failure(`GET ${url} answered ${response.status()}: ${(await response.text()).slice(0, 200)}`);
    }
    const body = await response.json();
    const items = Array.isArray(body) ? body : body.items || [];
    const audit = items.find((a) => a.state === 'in_progress');
    if (audit) return { id: audit.id, site: audit.site_code, title: audit.template_title, via: url };
    if (!url.includes('state=') && items.length === 0) break;
  }
  throw new Failure('no audit in progress found through GET /api/v1/audits');
}

// ---------------------------------------------------------------------------------------------
// One cold + warm measurement of one page

/** A fresh context (empty cache, the target's cookies, the probe) and a page on the slow link. */
async function throttledPage(browser, base, target) {
  const context = await browser.newContext({ baseURL: base });
  if (target.cookies.length) await context.addCookies(target.cookies);
  await context.addInitScript(probe, HYDRATION_LIMIT_MS);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', PROFILE);
  return { context, page, cdp };
}

async function measurePage(browser, base, target) {
  const { context, page, cdp } = await throttledPage(browser, base, target);
  try {
    const network = new NetworkLog(cdp);

    const cold = await visit(page, network, base, target);
    const warm = await visit(page, network, base, target);
    cold.tap = await tapVisit(browser, base, target);
    const serviceWorker = await page
      .evaluate(async () =>
        'serviceWorker' in navigator ? (await navigator.serviceWorker.getRegistrations()).length : 0,
      )
      .catch(() => null);
    return { cold, warm, serviceWorkers: serviceWorker };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// A tap on a cold visit: when does the page act on it?

/** Each page's main control, and what shows that a tap on it was acted on. */
const TAPS = {
  login: {
    control: (page) => page.getByRole('button', { name: 'Sign in' }),
    before: async (page) => {
      await page.getByLabel('Email').fill('qo@attest.example');
      await page.getByLabel('Password').fill(PASSWORD);
    },
    // The form posts itself: the request leaving the browser is the tap handled.
    handled: (page) => page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/login'), { timeout: LOAD_LIMIT_MS }),
    what: 'Sign in pressed: the form is posted',
  },
  dashboard: {
    control: (page) => page.locator('main table thead a').first(),
    handled: (page) => page.waitForRequest((r) => r.isNavigationRequest() && r.url().includes('sort='), { timeout: LOAD_LIMIT_MS }),
    what: 'a column heading pressed: the sorted page is requested',
  },
  conduct: {
    control: (page) => page.locator('.checklist button[data-answer][aria-pressed="false"]').first(),
    handled: async (page, control) => {
      await control.evaluate((el) => new Promise((resolve) => {
        const done = () => el.getAttribute('aria-pressed') === 'true' && resolve();
        new MutationObserver(done).observe(el, { attributes: true });
        done();
      }));
    },
    what: 'an answer pressed: shown as given and kept on the device',
  },
};

/**
 * A cold visit (fresh context, throttled) that taps the page's main control as soon as the
 * browser lets it (Playwright waits until it is visible, enabled and not covered or inert, so a
 * control that waits for the client is tapped only when it works) and times when the tap is
 * acted on. Times are from the start of navigation as seen from here.
 */
async function tapVisit(browser, base, target) {
  const tap = TAPS[target.tap];
  const { context, page } = await throttledPage(browser, base, target);
  try {
    const started = Date.now();
    await page.goto(base + target.path, { waitUntil: 'commit', timeout: LOAD_LIMIT_MS });
    const control = tap.control(page);
    await control.waitFor({ state: 'visible', timeout: LOAD_LIMIT_MS });
    if (tap.before) await tap.before(page);
    const handled = tap.handled(page, control);
    await control.click({ timeout: LOAD_LIMIT_MS, noWaitAfter: true });
    const tappedMs = Date.now() - started;
    await handled;
    const handledMs = Date.now() - started;
    let sentMs = null;
    if (target.tap === 'conduct') {
      // Then the client starts and sends what was kept: when the server has it.
      await page.getByTestId('sync-status').filter({ hasText: 'All answers saved' }).waitFor({ timeout: LOAD_LIMIT_MS });
      await page.waitForFunction(() => document.body.getAttribute('data-hydrated') === 'true', null, { timeout: LOAD_LIMIT_MS });
      sentMs = Date.now() - started;
    }
    return { tappedMs, handledMs, sentMs, what: tap.what };
  } finally {
    await context.close();
  }
}

async function visit(page, network, base, target) {
  network.reset();
  const url = base + target.path;
  const started = Date.now();
  let response;
  try {
    response = await page.goto(url, { waitUntil: 'load', timeout: LOAD_LIMIT_MS });
  } catch (error) {
    throw new Failure(`${target.path} failed to load: ${error.message.split('\n')[0]}`);
  }
  const status = response ? response.status() : null;
  const finalUrl = page.url();
  if (status === null || status >= 400) throw new Failure(`${target.path} answered HTTP ${status}`);
  if (target.signedIn && new URL(finalUrl).pathname === '/login') {
    throw new Failure(`${target.path} sent the signed-in visitor to ${finalUrl}`);
  }

  // Interactive: data-hydrated="true" on <body>, within 120 s of navigation start.
  let hydratedAt = null;
  const budget = Math.max(1_000, HYDRATION_LIMIT_MS - (Date.now() - started));
  try {
    hydratedAt = await page
      .waitForFunction(() => window.__slowLink && window.__slowLink.hydratedAt, null, {
        timeout: budget,
        polling: 100,
      })
      .then((handle) => handle.jsonValue());
  } catch {
    hydratedAt = null;
  }
  if (hydratedAt !== null && hydratedAt > HYDRATION_LIMIT_MS) hydratedAt = null;
  await network.quiet(QUIET_LIMIT_MS);

  const inPage = await page.evaluate(() => {
    const paint = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      fcp: (window.__slowLink && window.__slowLink.fcp) ?? (paint ? paint.startTime : null),
      hydratedAt: window.__slowLink ? window.__slowLink.hydratedAt : null,
      domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
      load: nav ? nav.loadEventEnd : null,
      responseEnd: nav ? nav.responseEnd : null,
    };
  });
  if (hydratedAt === null && inPage.hydratedAt !== null && inPage.hydratedAt <= HYDRATION_LIMIT_MS) {
    hydratedAt = inPage.hydratedAt;
  }
  let interactive;
  let interactiveBasis;
  if (hydratedAt !== null) {
    interactive = hydratedAt;
    interactiveBasis = 'data-hydrated';
  } else {
    interactive = null;
    interactiveBasis = 'no data-hydrated within 120 s';
  }
  const net = network.summary();
  return {
    status,
    finalUrl,
    firstRenderMs: inPage.fcp,
    interactiveMs: interactive,
    interactiveBasis,
    hydratedAtMs: hydratedAt,
    domContentLoadedMs: inPage.domContentLoaded,
    loadMs: inPage.load,
    documentResponseEndMs: inPage.responseEnd,
    wallMs: Date.now() - started,
    ...net,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function median(values) {
  // null ("never" / not measured) sorts last, as if it were infinitely late.
  const sorted = values.map((v) => (v === null || v === undefined ? Infinity : v)).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Number.isFinite(m) ? m : null;
}

const seconds = (ms) => (ms === null ? 'never' : (ms / 1000).toFixed(1));
const secondsUnit = (ms) => (ms === null ? 'never' : `${seconds(ms)} s`);
const kb = (bytes) => (bytes === null ? '?' : `${(bytes / 1000).toFixed(1)} kB`);

function summarise(name, path, runs) {
  const pick = (phase, key) => median(runs.map((r) => r[phase][key]));
  const out = { page: name, path, runs: runs.length };
  for (const phase of ['cold', 'warm']) {
    out[phase] = {
      bytes: pick(phase, 'bytes'),
      requests: pick(phase, 'requests'),
      firstRenderMs: pick(phase, 'firstRenderMs'),
      interactiveMs: pick(phase, 'interactiveMs'),
    };
  }
  out.cold.tapHandledMs = median(runs.map((r) => r.cold.tap.handledMs));
  return out;
}

function table(summaries) {
  const lines = [
    '| page | cold bytes | cold requests | cold first render (s) | cold tap handled (s) | cold client started (s) | warm bytes | warm first render (s) | warm client started (s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of summaries) {
    lines.push(
      `| ${s.page} | ${kb(s.cold.bytes)} | ${s.cold.requests} | ${seconds(s.cold.firstRenderMs)} | ${seconds(
        s.cold.tapHandledMs,
      )} | ${seconds(s.cold.interactiveMs)} | ${kb(s.warm.bytes)} | ${seconds(s.warm.firstRenderMs)} | ${seconds(
        s.warm.interactiveMs,
      )} |`,
    );
  }
  return lines.join('\n');
}

function details(name, runs) {
  const lines = [];
  runs.forEach((run, i) => {
    for (const phase of ['cold', 'warm']) {
      const v = run[phase];
      lines.push(
        `- ${name}, run ${i + 1}, ${phase}: HTTP ${v.status} ${pathOf(v.finalUrl)}; ${v.bytes} bytes in ${v.requests} requests` +
          ` (${v.fromCache} from cache); first render ${secondsUnit(v.firstRenderMs)}; interactive ${secondsUnit(v.interactiveMs)}` +
          ` (${v.interactiveBasis})` +
          (v.failed.length ? `; FAILED: ${v.failed.map((f) => `${f.path} ${f.failed}`).join(', ')}` : ''),
      );
      if (i === 0) {
        for (const r of v.largest) lines.push(`    - ${r.bytes} B  ${r.encoding}  ${r.path}`);
      }
    }
    const t = run.cold.tap;
    lines.push(
      `- ${name}, run ${i + 1}, cold tap (${t.what}): tapped at ${secondsUnit(t.tappedMs)}, handled at ${secondsUnit(t.handledMs)}` +
        (t.sentMs === null ? '' : `, on the server at ${secondsUnit(t.sentMs)}`),
    );
    if (run.serviceWorkers) lines.push(`- ${name}, run ${i + 1}: ${run.serviceWorkers} service worker(s) registered`);
  });
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const raw = {
    base: args.base,
    runsRequested: args.runs,
    profile: PROFILE,
    browser: browser.version(),
    startedAt: new Date().toISOString(),
    pages: [],
  };
  try {
    log(`signing in (unthrottled) at ${args.base}`);
    const rm = await signIn(browser, args.base, 'rm.eha@attest.example');
    const qo = await signIn(browser, args.base, 'qo@attest.example');
    raw.audit = qo.inProgressAudit;
    log(`audit in progress: ${qo.inProgressAudit.id} (${qo.inProgressAudit.site})`);

    const targets = [
      { name: 'sign-in `/login`', path: '/login', cookies: [], signedIn: false, tap: 'login' },
      { name: 'region EHA dashboard', path: '/dashboard/region/EHA', cookies: rm.cookies, signedIn: true, tap: 'dashboard' },
      {
        name: `audit ${qo.inProgressAudit.id} conduct`,
        path: `/audits/${qo.inProgressAudit.id}/conduct`,
        cookies: qo.cookies,
        signedIn: true,
        tap: 'conduct',
      },
    ];
    for (const target of targets) {
      const runs = [];
      for (let i = 0; i < args.runs; i += 1) {
        log(`${target.path}: run ${i + 1}/${args.runs}, cold then warm`);
        const run = await measurePage(browser, args.base, target);
        log(
          `  cold ${run.cold.bytes} B/${run.cold.requests} req, FCP ${secondsUnit(run.cold.firstRenderMs)}, ` +
            `tap handled ${secondsUnit(run.cold.tap.handledMs)}, ` +
            `interactive ${secondsUnit(run.cold.interactiveMs)}; warm ${run.warm.bytes} B, ` +
            `FCP ${secondsUnit(run.warm.firstRenderMs)}, interactive ${secondsUnit(run.warm.interactiveMs)}`,
        );
        runs.push(run);
      }
      raw.pages.push({ page: target.name, path: target.path, runs, median: summarise(target.name, target.path, runs) });
    }
  } finally {
    await browser.close();
    raw.finishedAt = new Date().toISOString();
  }

  const summaries = raw.pages.map((p) => p.median);
  console.log(
    `Slow link: ${PROFILE.latency} ms latency, ${(PROFILE.downloadThroughput * 8) / 1000} kbit/s down and up; ` +
      `${args.runs} run(s), median; ${raw.browser}; ${args.base}\n`,
  );
  console.log(table(summaries));
  console.log('\nPer visit (5 largest responses from the first run):');
  for (const p of raw.pages) console.log(details(p.page, p.runs));
  if (args.json) {
    writeFileSync(args.json, JSON.stringify(raw, null, 2));
    log(`raw figures written to ${args.json}`);
  }
}

main().catch((error) => {
  console.error(`slow-link: ${error instanceof Failure ? error.message : error.stack || error}`);
  process.exit(1);
});
