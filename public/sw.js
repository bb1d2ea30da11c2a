// Attest's service worker: the offline app shell.
//
// - The client bundle of this build (hashed, immutable) and the shell's public files are
//   precached when the worker installs, so the app starts with no connection.
// - Pages are network-first: the server's answer is shown and a copy kept (the 40 most recently
//   opened pages); without a connection the saved copy is shown, marked as such, and a page
//   never saved gets the offline page instead of the browser's error.
// - Caches are named after the build. A new build installs a new worker that takes over at
//   once, deletes the old caches (their pages link an old bundle) and tells open tabs, which
//   offer a reload: no tab is left on an old shell talking to a newer server. Answers waiting
//   to be sent are kept by the page in the browser's storage, not here, so an update never
//   touches them.
// - Signing in or out empties the saved pages: they belong to whoever was signed in.
// - Evidence (a photo or PDF) attached with no connection is kept in an outbox that survives
//   updates and is sent when the connection returns (the page asks, and every page fetched from
//   the network tries too). The upload names who attached it; sent under someone else's session
//   the server refuses it and it stays for them.
//
// The build replaces __ATTEST_BUILD_ID__ with the bundle's content hash (scripts/build.sh).

const BUILD = '__ATTEST_BUILD_ID__';
const DEVELOPMENT = BUILD.startsWith('__');
const SHELL_CACHE = `attest-shell-${BUILD}`;
const PAGES_CACHE = `attest-pages-${BUILD}`;
const MAX_PAGES = 40;
// On a link that accepts the request and then stalls, the saved copy is better than a spinner.
const NETWORK_TIMEOUT_MS = 15000;
const SAVED_AT = 'x-attest-saved-at';
// Not named after the build: files waiting to be sent must outlive an update.
const OUTBOX = 'attest-outbox';
const EVIDENCE = /^\/audits\/(\d+)\/items\/(\d+)\/evidence$/;

const SHELL = [
  '/offline.html',
  '/favicon.svg',
  '/manifest.webmanifest',
  '/icons/attest-192.png',
  ...(DEVELOPMENT ? [] : [`/pkg/${BUILD}/attest.js`, `/pkg/${BUILD}/attest.wasm`, `/pkg/${BUILD}/attest.css`]),
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      const current = [SHELL_CACHE, PAGES_CACHE, OUTBOX];
      const old = names.filter((name) => name.startsWith('attest-') && !current.includes(name));
      await Promise.all(old.map((name) => caches.delete(name)));
      await self.clients.claim();
      if (old.some((name) => name.startsWith('attest-shell-'))) {
        const tabs = await self.clients.matchAll({ type: 'window' });
        for (const tab of tabs) tab.postMessage({ type: 'attest-updated', build: BUILD });
      }
    })(),
  );
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  // A page reached by the app's own navigation never passed through here as a document:
  // the page asks for a copy to be kept so it reopens offline too.
  if (data.type === 'attest-keep' && typeof data.url === 'string') {
    event.waitUntil(keep(data.url));
  } else if (data.type === 'attest-forget') {
    event.waitUntil(caches.delete(PAGES_CACHE));
  } else if (data.type === 'attest-flush') {
    event.waitUntil(flushOutbox());
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== 'GET') {
    if (isSignInOrOut(url)) event.respondWith(forgetPagesAfter(request));
    else if (request.method === 'POST' && EVIDENCE.test(url.pathname)) event.respondWith(sendOrKeepEvidence(request));
    else if (request.mode === 'navigate') event.respondWith(postOrOffline(request));
    return;
  }
  if (url.pathname.startsWith('/pkg/') || SHELL.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === 'navigate' && isPage(url)) {
    event.respondWith(networkFirst(request, event));
  }
});

function isPage(url) {
  return !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/rpc/') && url.pathname !== '/sw.js';
}

function isSignInOrOut(url) {
  return url.pathname === '/rpc/account/login' || url.pathname === '/rpc/account/logout';
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  return cached || fetch(request);
}

/** A response worth keeping: a whole page of this site that asked to be stored. */
function keepable(response) {
  return (
    response.ok &&
    response.type === 'basic' &&
    (response.headers.get('content-type') || '').startsWith('text/html') &&
    !/no-store/.test(response.headers.get('cache-control') || '')
  );
}

async function store(url, response) {
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT, new Date().toISOString());
  const body = await response.blob();
  const cache = await caches.open(PAGES_CACHE);
  await cache.put(url, new Response(body, { status: response.status, statusText: response.statusText, headers }));
  // Oldest first: caches keep insertion order, and a page stored again moves to the end.
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((key) => cache.delete(key)));
}

async function keep(href) {
  const url = new URL(href, self.location.origin);
  if (url.origin !== self.location.origin || !isPage(url)) return;
  try {
    const response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' }, priority: 'low' });
    if (keepable(response) && !response.redirected) {
      const cache = await caches.open(PAGES_CACHE);
      await cache.delete(url.href);
      await store(url.href, response);
    }
  } catch (_) {
    // Offline: the page is kept the next time it is opened online.
  }
}

async function networkFirst(request, event) {
  const url = new URL(request.url);
  const network = fetch(request).then(async (response) => {
    event.waitUntil(flushOutbox());
    if (keepable(response) && !response.redirected) {
      const cache = await caches.open(PAGES_CACHE);
      await cache.delete(url.href);
      event.waitUntil(store(url.href, response.clone()));
    }
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), NETWORK_TIMEOUT_MS));
  try {
    const response = await Promise.race([network, timeout]);
    if (response) return response;
    const saved = await savedCopy(url);
    return saved || (await network);
  } catch (_) {
    return (await savedCopy(url)) || (await offlinePage());
  }
}

/** The saved copy of a page, marked so that the page says it is a saved copy and from when. */
async function savedCopy(url) {
  const cache = await caches.open(PAGES_CACHE);
  // The page with an outcome in its address (`?evidence_waiting=…`) is the page without it.
  const cached = (await cache.match(url.href)) || (await cache.match(url.href, { ignoreSearch: true }));
  if (!cached) return null;
  const savedAt = cached.headers.get(SAVED_AT) || '';
  const html = (await cached.text()).replace(
    '<head>',
    `<head><meta name="attest-saved-copy" content="${savedAt.replace(/[^0-9TZ:.-]/g, '')}">`,
  );
  return new Response(html, { status: 200, headers: cached.headers });
}

async function offlinePage() {
  const cached = await caches.match('/offline.html');
  if (!cached) return new Response('You are offline.', { status: 503, headers: { 'content-type': 'text/plain' } });
  const cache = await caches.open(PAGES_CACHE);
  const pages = (await cache.keys()).map((request) => new URL(request.url)).reverse();
  const list = pages.length
    ? `<h2>Pages saved on this device</h2><ul>${pages
        .map((url) => `<li><a href="${escapeHtml(url.pathname + url.search)}">${escapeHtml(url.pathname + url.search)}</a></li>`)
        .join('')}</ul>`
    : '';
  const html = (await cached.text()).replace('<!--saved-pages-->', list);
  return new Response(html, { status: 503, headers: cached.headers });
}

/** A form posted with no connection: the browser's error page would lose what was typed. */
async function postOrOffline(request) {
  try {
    return await fetch(request);
  } catch (_) {
    return offlinePage();
  }
}

async function forgetPagesAfter(request) {
  const response = await fetch(request);
  if (response.ok || response.status === 303 || response.status === 302) {
    await caches.delete(PAGES_CACHE);
  }
  return response;
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// --- evidence outbox ----------------------------------------------------------------------

/** Sends an evidence upload, or keeps it when there is no connection and goes back to the item. */
async function sendOrKeepEvidence(request) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (_) {
    const url = new URL(request.url);
    const [, audit, item] = EVIDENCE.exec(url.pathname);
    const body = await copy.blob();
    const outbox = await caches.open(OUTBOX);
    const key = `/__outbox/${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await outbox.put(
      key,
      new Response(body, {
        headers: { 'content-type': copy.headers.get('content-type') || '', 'x-attest-target': url.pathname + url.search },
      }),
    );
    await tellTabs();
    return Response.redirect(`/audits/${audit}/conduct?evidence_waiting=${item}#item-${item}`, 303);
  }
}

let flushing = null;

/** Sends what the outbox holds, oldest first; one flush at a time. */
function flushOutbox() {
  flushing = flushing || sendOutbox().finally(() => (flushing = null));
  return flushing;
}

async function sendOutbox() {
  const outbox = await caches.open(OUTBOX);
  const keys = await outbox.keys();
  if (keys.length === 0) return;
  await tellTabs();
  const problems = [];
  for (const key of keys) {
    const kept = await outbox.match(key);
    if (!kept) continue;
    let response;
    try {
      response = await fetch(kept.headers.get('x-attest-target'), {
        method: 'POST',
        body: await kept.blob(),
        headers: { 'content-type': kept.headers.get('content-type') },
        credentials: 'same-origin',
      });
    } catch (_) {
      break; // Still no connection: try again later.
    }
    // Signed out, or the server in trouble: kept for later.
    if (response.status === 401 || response.status >= 500) continue;
    const outcome = new URL(response.url, self.location.origin).searchParams;
    if (outcome.get('evidence_sender') === 'other') continue; // Theirs: kept for them.
    const refused = outcome.get('evidence_error') || (response.ok ? null : `The server refused the file (HTTP ${response.status}).`);
    if (refused) problems.push(refused);
    await outbox.delete(key);
  }
  await tellTabs(problems);
}

/** Tells open tabs how many files wait, and why any was refused. */
async function tellTabs(problems = []) {
  const waiting = (await (await caches.open(OUTBOX)).keys()).length;
  const tabs = await self.clients.matchAll({ type: 'window' });
  for (const tab of tabs) tab.postMessage({ type: 'attest-outbox', waiting, problems });
}
