/* Rapport page glue: registers the service worker, keeps the outbox and the
 * contact book in step with the network and the sign-in, and shows the offline
 * banner and the outbox counter. Load after outbox.js and contactbook.js. */
(function () {
  'use strict';

  const root = document.documentElement;
  const outbox = window.crmOutbox;
  const book = window.crmBook;
  const apiBase = document.querySelector('meta[name="rapport-api-base"]');
  if (apiBase && apiBase.content) outbox.configure({apiBase: apiBase.content});

  // After `load`: on a first visit the worker and its precache must not compete
  // with the page's own files for a phone's bandwidth.
  const loaded = new Promise((resolve) => {
    if (document.readyState === 'complete') resolve();
    else window.addEventListener('load', () => resolve(), {once: true});
  });
  window.swReady = 'serviceWorker' in navigator
    ? loaded
      .then(() => navigator.serviceWorker.register('/sw.js', {scope: '/', updateViaCache: 'none'}))
      .then(() => navigator.serviceWorker.ready)
    : Promise.reject(new Error('This browser has no service workers'));
  window.swReady.catch(() => {});
  if ('serviceWorker' in navigator) {
    // A new release took over this page: the UI may offer a reload.
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      root.dataset.updateReady = 'true';
    });
  }

  // Banners rendered later by React are covered by this rule without a script.
  const style = document.createElement('style');
  style.textContent =
    'html:not([data-offline="true"]) [data-offline-banner]{display:none!important}'
    + 'html:not([data-storage="refused"]) [data-storage-notice]{display:none!important}';
  document.head.appendChild(style);

  let waiting = null;
  const BOOK_REFRESH_MS = 5 * 60 * 1000;

  function render() {
    const offline = !navigator.onLine;
    root.dataset.offline = String(offline);
    document.querySelectorAll('[data-offline-banner]').forEach((el) => { el.hidden = !offline; });
    const refused = root.dataset.storage === 'refused';
    document.querySelectorAll('[data-storage-notice]').forEach((el) => {
      if (el.hidden === refused) el.hidden = !refused;
    });
    if (waiting === null) return;
    const text = String(waiting);
    document.querySelectorAll('[data-outbox-count]').forEach((el) => {
      if (el.textContent !== text) el.textContent = text;
    });
    // The header badge says "N waiting to sync" only while N > 0, online or not.
    document.querySelectorAll('[data-outbox-badge]').forEach((el) => {
      if (el.hidden !== (waiting === 0)) el.hidden = waiting === 0;
    });
  }

  window.addEventListener('crm-outbox-change', (event) => {
    waiting = event.detail.waiting;
    render();
  });
  // React drew a page with its own badge and banner (crm_pwa/components/page_signal.py).
  window.addEventListener('crm-page', render);
  // Set by outbox.js or contactbook.js when the phone refuses storage.
  window.addEventListener('crm-storage-refused', render);

  function syncNow() {
    outbox.flush().catch(() => {});
    if (book && navigator.onLine) book.refresh().catch(() => {});
  }

  window.addEventListener('online', () => { render(); syncNow(); });
  window.addEventListener('offline', render);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') syncNow();
  });
  // The book follows the server while the app is open: only changes travel, so a
  // refresh every few minutes costs a request and a few cards.
  setInterval(() => {
    if (document.visibilityState === 'visible') syncNow();
  }, BOOK_REFRESH_MS);

  // Reflex writes the token to localStorage without an event in this tab: watch it,
  // so a sign-in syncs at once and a sign-out empties the book on this phone.
  let token;
  async function watchToken() {
    // The cheap localStorage read first: the IndexedDB round trip only on a change.
    if (token !== undefined && outbox.storedToken() === token) return;
    const current = await outbox.token().catch(() => null);
    if (current === token) return;
    const first = token === undefined;
    token = current;
    // The server sends the sign-in page at once to a browser without this hint
    // (crm_pwa/domain/sign_in_hint.py); the head script keeps it too, on each load.
    document.cookie = outbox.storedToken()
      ? 'rapport_signed_in=1; path=/; max-age=31536000; samesite=lax'
      : 'rapport_signed_in=1; path=/; max-age=0; samesite=lax';
    // Signed out: Today's last lists (crm_pwa/components/last_known.py) go too.
    if (!current) {
      try { localStorage.removeItem('rapport_last_today'); } catch (_) { /* no storage */ }
    }
    if (!current && book) {
      book.clear().catch(() => {});
    } else if (current && !first) {
      syncNow();
    }
  }
  window.addEventListener('storage', watchToken);
  setInterval(watchToken, 2000);

  // Quota used up or private browsing: say so once; the app keeps working online.
  outbox.openDB().catch((error) => {
    if (outbox.storageRefused(error)) {
      root.dataset.storage = 'refused';
      render();
    }
  });

  render();
  watchToken().then(syncNow);
  outbox.announce().catch(() => {});
})();
