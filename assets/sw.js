/* Rapport service worker. The server fills in __BUILD_ID__ (a hash of the built
 * frontend) and __PRECACHE__ (the URLs of the built app shell) when it serves
 * this file, so every release gets new cache names and replaces the old ones. */
'use strict';

importScripts('/outbox.js', '/outbox-sync.js');

const BUILD_ID = '__BUILD_ID__';
const PRECACHE = __PRECACHE__;
const SHELL_CACHE = `rapport-shell-${BUILD_ID}`;
const RUNTIME_CACHE = `rapport-runtime-${BUILD_ID}`;
const NAVIGATION_TIMEOUT_MS = 4000;
// Build output named by its content hash (served `immutable`).
const HASHED = /^\/assets\//;
const SPA_FALLBACKS = ['/__spa-fallback.html', '/'];
const SIGN_IN = /^\/signin\/?$/;
// Served live by the backend: data, the Reflex websocket, uploads, health checks.
const NEVER_CACHED = /^\/(api\/|_event|_upload|ping$|_health$|sw\.js$)/;
// Files the page loads as code, styles, images or fonts; fetch() calls (destination
// '') are data and always go to the network.
const STATIC_DESTINATIONS = new Set(['script', 'style', 'image', 'font', 'manifest', 'worker']);

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // Hashed build files are immutable: the copy the page just loaded comes from the
    // HTTP cache. Unhashed files are revalidated, so a new build never keeps old ones.
    await cache.addAll(PRECACHE.map(
      (url) => new Request(url, {cache: HASHED.test(url) ? 'default' : 'no-cache'})));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = new Set([SHELL_CACHE, RUNTIME_CACHE]);
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith('rapport-') && !keep.has(name))
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

async function fromCaches(request, options) {
  for (const cacheName of [SHELL_CACHE, RUNTIME_CACHE]) {
    // The server answers `Vary: Origin`, and module scripts are requested with an
    // Origin header that the precache requests lacked: files are content-hashed,
    // so the Vary header has nothing to tell apart here.
    const hit = await caches.match(request, {...options, cacheName, ignoreVary: true});
    if (hit) return hit;
  }
  return undefined;
}

/* The app is a single-page app: any cached page can render any route, the SPA
 * fallback (what the server sends for a route without a prerendered file) best. */
async function cachedPage(url) {
  const candidates = [url.pathname, url.pathname.replace(/\/$/, '') || '/', ...SPA_FALLBACKS];
  for (const candidate of candidates) {
    const hit = await fromCaches(candidate, {ignoreSearch: true});
    if (hit) return servable(hit);
  }
  return undefined;
}

/* A navigation may not be answered with a response that was redirected (say
 * /contacts -> /contacts/ when it was precached), so hand over a plain copy. */
async function servable(response) {
  if (!response.redirected) return response;
  return new Response(await response.blob(), {status: response.status, headers: response.headers});
}

async function navigate(request) {
  const url = new URL(request.url);
  const network = fetch(request);
  network.catch(() => {});
  // A phone with one bar can hang for a minute: after a few seconds the cached
  // shell is better than a blank screen.
  const slow = new Promise((resolve) => setTimeout(resolve, NAVIGATION_TIMEOUT_MS, 'slow'));
  let answer;
  try {
    answer = await Promise.race([network, slow]);
  } catch (_) {
    answer = 'offline';
  }
  if (answer instanceof Response && answer.status < 500) return answer;
  // Signing in needs the server: say so, rather than a cached app page that finds
  // no such route (the sign-in page is the server's own, not the app's).
  if (SIGN_IN.test(url.pathname)) {
    if (answer instanceof Response) return answer;
    return answer === 'slow' ? network.catch(() => offlineSignIn()) : offlineSignIn();
  }
  // Offline, slow or a server error: the cached shell still lets the rep look up
  // contacts and write notes into the outbox.
  const cached = await cachedPage(url);
  if (cached) return cached;
  return answer instanceof Response ? answer : network;
}

/* A page of its own (no CSP is set on it, so its script runs): it loads the
 * sign-in page again once the server answers. Not on the `online` event alone:
 * the phone may say it is online before this worker's requests get through, and
 * a reload then would only bring this page back, with no second event to wait
 * for. So it asks the server itself (a plain fetch, which this worker leaves to
 * the network), and asks again every two seconds while the phone says online. */
function offlineSignIn() {
  const html = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    + '<meta name="viewport" content="width=device-width, initial-scale=1">'
    + '<title>Offline · Rapport</title><style>'
    + 'body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#fff;color:#1c2024}'
    + 'main{max-width:400px;margin:0 auto;padding:48px 24px}h1{font-size:2rem;margin:0 0 8px}'
    + '@media (prefers-color-scheme: dark){body{background:#111113;color:#edeef0}}'
    + '</style></head><body><main><h1>Rapport</h1>'
    + '<p role="status">You are offline. Signing in needs a signal; this page tries '
    + 'again by itself when the phone is back online.</p></main>'
    + '<script>function retry(){fetch(location.href,{cache:"no-store"}).then('
    + '(r)=>{if(r.status<500)location.reload();else later();},later);}'
    + 'function later(){setTimeout(()=>{if(navigator.onLine)retry();},2000);}'
    + 'addEventListener("online",retry);later();</script>'
    + '</body></html>';
  return new Response(html, {status: 503, headers: {'Content-Type': 'text/html; charset=utf-8'}});
}

async function staticAsset(request) {
  const cached = await fromCaches(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') {
    const cache = await caches.open(RUNTIME_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const {request} = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER_CACHED.test(url.pathname)) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request));
  } else if (STATIC_DESTINATIONS.has(request.destination) && !request.headers.has('range')) {
    event.respondWith(staticAsset(request));
  }
});

/* Reports why a flush left items behind, so Background Sync tries again later. */
async function flushOutbox() {
  const report = await self.crmOutbox.flush();
  if (report.error && report.error !== 'signed-out') throw new Error(`outbox: ${report.error}`);
  return report;
}

self.addEventListener('sync', (event) => {
  if (event.tag === 'flush-outbox') event.waitUntil(flushOutbox());
});

const DEFAULT_ACTIONS = [
  {action: 'done', title: 'Done'},
  {action: 'snooze', title: 'Snooze 1 day'},
];

async function showPush(payload) {
  const data = payload || {};
  const options = {
    body: data.body || '',
    tag: data.tag || undefined,
    icon: '/icons/icon-192.png',
    data: {url: data.url || '/', follow_up_id: data.follow_up_id || null},
  };
  const fallbackActions = data.follow_up_id ? DEFAULT_ACTIONS : [];
  const actions = Array.isArray(data.actions) ? data.actions : fallbackActions;
  if (actions.length) options.actions = actions;
  if (data.tag) options.renotify = true;
  return self.registration.showNotification(data.title || 'Rapport', options);
}

function pushPayload(event) {
  if (!event.data) return {};
  try {
    return event.data.json();
  } catch (_) {
    return {body: event.data.text()};
  }
}

self.addEventListener('push', (event) => {
  event.waitUntil(showPush(pushPayload(event)));
});

async function openWindow(url) {
  const target = new URL(url, self.location.origin).href;
  const windows = await self.clients.matchAll({type: 'window', includeUncontrolled: true});
  let client = windows.find((candidate) => candidate.url === target);
  if (!client) {
    const ours = windows.find(
      (candidate) => new URL(candidate.url).origin === self.location.origin);
    try {
      client = ours && 'navigate' in ours ? await ours.navigate(target) : null;
    } catch (_) {
      // An uncontrolled window cannot be navigated from here: open a new one.
      client = null;
    }
  }
  if (!client) return self.clients.openWindow(target);
  try {
    await client.focus();
  } catch (_) {
    // Focus needs the tap's user activation; the page is at the right place anyway.
  }
  return client;
}

/* "Done" and "Snooze 1 day" go through the outbox, like a change made in the app,
 * so they survive a weak signal. Exposed on self.rapportSW for tests. */
async function handleNotificationClick(notification, action) {
  const data = notification.data || {};
  notification.close();
  if (data.follow_up_id && (action === 'done' || action === 'snooze')) {
    const update = action === 'done'
      ? {id: data.follow_up_id, status: 'done'}
      : {id: data.follow_up_id, status: 'snoozed', snooze_until: await self.crmOutbox.localDay(1)};
    await self.crmOutbox.enqueueFollowUpUpdate(update);
    return self.crmOutbox.flush();
  }
  return openWindow(data.url || '/');
}

self.addEventListener('notificationclick', (event) => {
  event.waitUntil(handleNotificationClick(event.notification, event.action));
});

self.addEventListener('message', (event) => {
  if (!event.data || event.data.type !== 'get-notifications' || !event.source) return;
  event.waitUntil((async () => {
    const shown = await self.registration.getNotifications();
    event.source.postMessage({
      type: 'notifications',
      notifications: shown.map((n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data})),
    });
  })());
});

self.rapportSW = {BUILD_ID, SHELL_CACHE, RUNTIME_CACHE, handleNotificationClick, showPush};
