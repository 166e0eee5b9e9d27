/* Rapport outbox: notes and follow-up changes are written to IndexedDB first and
 * leave it only when the server has acknowledged them (outbox-sync.js sends them).
 * Plain script, loaded by the page (window.crmOutbox) and by the service worker
 * (importScripts('/outbox.js', '/outbox-sync.js'), self.crmOutbox). It also owns
 * the one IndexedDB open/upgrade of the "rapport" database, which contactbook.js
 * shares.
 *
 * An item's state: `waiting` (sent at the next flush), `stuck` (the server failed
 * on it; tried again on its own at `retry_at`), `rejected` (the server refused it:
 * the rep corrects or discards it) or `conflict` (the server holds another
 * version of this note: the phone keeps its copy for the rep to decide). */
(function (global) {
  'use strict';

  const DB_NAME = 'rapport';
  const DB_VERSION = 1;
  const MAX_SUMMARY_CHARS = 10000;
  const REQUEST_TIMEOUT_MS = 30000;
  const SYNC_TAG = 'flush-outbox';
  const TOKEN_KEY = 'rapport_token';
  const FOLLOW_UP_STATUSES = new Set(['open', 'done', 'snoozed']);
  const STORAGE_ERRORS = new Set(['QuotaExceededError', 'UnknownError', 'InvalidStateError',
    'SecurityError', 'NotFoundError', 'VersionError', 'AbortError']);
  const hasWindow = typeof window !== 'undefined';
  const hasDocument = typeof document !== 'undefined';
  const channel = typeof BroadcastChannel === 'function'
    ? new BroadcastChannel('rapport-outbox') : null;

  const settings = {apiBase: '/api/v1'};
  let dbPromise = null;
  let lastSeq = 0;
  // Server time minus phone time, learnt from the X-Server-Time header of every API
  // answer and kept in `meta` for offline use. Changes are stamped on the server's
  // clock so "the latest change wins" is not decided by a phone whose clock is off.
  let clockOffsetMs = null;

  function openDB() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        let req;
        try {
          req = indexedDB.open(DB_NAME, DB_VERSION);
        } catch (error) {
          // No IndexedDB at all, or one that throws (some private modes).
          dbPromise = null;
          reject(error && error.name ? error : new DOMException(String(error), 'SecurityError'));
          return;
        }
        req.onupgradeneeded = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('outbox')) {
            db.createObjectStore('outbox', {keyPath: 'id'}).createIndex('state', 'state');
          }
          if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
          if (!db.objectStoreNames.contains('contacts')) {
            db.createObjectStore('contacts', {keyPath: 'id'});
          }
        };
        req.onsuccess = () => {
          const db = req.result;
          // A newer page or worker wants to upgrade: let it, and reopen lazily.
          db.onversionchange = () => { db.close(); dbPromise = null; };
          resolve(db);
        };
        req.onerror = () => { dbPromise = null; reject(req.error); };
      });
    }
    return dbPromise;
  }

  function promised(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  /* Runs body(transaction) and resolves with its result once the transaction has
   * committed, so callers never report a write that did not reach the disk. */
  async function transact(storeNames, mode, body, durability) {
    const db = await openDB();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(storeNames, mode, durability ? {durability} : undefined);
      let result;
      tx.oncomplete = () => resolve(result);
      tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction aborted'));
      Promise.resolve().then(() => body(tx)).then(
        (value) => { result = value; },
        (error) => { reject(error); try { tx.abort(); } catch (_) { /* already finished */ } },
      );
    });
  }

  async function metaGet(key) {
    return transact(['meta'], 'readonly', (tx) => promised(tx.objectStore('meta').get(key)));
  }

  async function metaPut(key, value) {
    return transact(['meta'], 'readwrite',
      (tx) => promised(tx.objectStore('meta').put(value, key)));
  }

  function readStoredToken() {
    let raw = null;
    try { raw = global.localStorage.getItem(TOKEN_KEY); } catch (_) { return null; }
    if (!raw) return null;
    if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
      try { raw = JSON.parse(raw); } catch (_) { return null; }
    }
    return typeof raw === 'string' && raw.trim() ? raw.trim() : null;
  }

  /* The page reads the token from localStorage; the service worker cannot, so the
   * page leaves a copy in `meta`. */
  async function credentials() {
    if (hasWindow) {
      const token = readStoredToken();
      const saved = {token, apiBase: settings.apiBase};
      try {
        const previous = await metaGet('auth');
        if (!previous || previous.token !== saved.token || previous.apiBase !== saved.apiBase) {
          await metaPut('auth', saved);
        }
      } catch (_) {
        // Storage refused: the page still has the token; only the service worker goes without.
      }
      return saved;
    }
    const saved = await metaGet('auth');
    return {
      token: saved ? saved.token : null,
      apiBase: (saved && saved.apiBase) || settings.apiBase,
    };
  }

  function withTimeout(init) {
    if (typeof AbortSignal !== 'undefined' && typeof AbortSignal.timeout === 'function') {
      return {...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)};
    }
    return init;
  }

  class SignedOutError extends Error {}

  /* fetch against the API with the bearer token; shared with contactbook.js. */
  async function apiFetch(path, init) {
    const {token, apiBase} = await credentials();
    if (!token) throw new SignedOutError('signed out');
    const headers = {Accept: 'application/json', ...((init && init.headers) || {})};
    headers.Authorization = `Bearer ${token}`;
    const response = await fetch(apiBase.replace(/\/$/, '') + path, withTimeout({...init, headers}));
    learnServerTime(response);
    return response;
  }

  function learnServerTime(response) {
    const stamp = Date.parse(response.headers.get('X-Server-Time') || '');
    if (Number.isNaN(stamp)) return;
    clockOffsetMs = stamp - Date.now();
    metaPut('clockOffsetMs', clockOffsetMs).catch(() => {});
  }

  /* Now, as the server counts it (the phone's clock when the server was never reached). */
  async function serverNow() {
    if (clockOffsetMs === null) {
      const saved = await metaGet('clockOffsetMs').catch(() => undefined);
      clockOffsetMs = typeof saved === 'number' ? saved : 0;
    }
    return new Date(Date.now() + clockOffsetMs);
  }

  /* The calendar day `days` after today on the phone, as the API's dates are written
   * (YYYY-MM-DD), taking "now" from the server's clock. */
  async function localDay(days) {
    const day = await serverNow();
    day.setDate(day.getDate() + days);
    return day.toLocaleDateString('en-CA');
  }

  function isOffline() {
    return typeof navigator !== 'undefined' && navigator.onLine === false;
  }

  /* Queue order: the clock, made strictly increasing within this page or worker. */
  function nextSeq() {
    lastSeq = Math.max(Date.now() * 1000, lastSeq + 1);
    return lastSeq;
  }

  function uuid() {
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    // randomUUID needs a secure context; a phone on a plain-http dev server has none.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)]
      .join('-');
  }

  function codePoints(text) {
    return Array.from(text).length;
  }

  function validationError(field, message) {
    const error = new Error(message);
    error.name = 'OutboxValidationError';
    error.field = field;
    return error;
  }

  // States that the next flushes send without the rep doing anything.
  const PENDING = new Set(['waiting', 'stuck']);

  function describe(record) {
    const item = record.item;
    if (record.kind === 'interaction') return item.summary;
    if (record.kind === 'next_step') return `Next step: ${item.title}, due ${item.due_on}`;
    const until = item.snooze_until ? ` until ${item.snooze_until}` : '';
    return `Follow-up marked ${item.status}${until}`;
  }

  async function records() {
    const all = await transact(['outbox'], 'readonly',
      (tx) => promised(tx.objectStore('outbox').getAll()));
    return all.sort((a, b) => a.seq - b.seq);
  }

  /* {waiting, items}: `waiting` counts what will still be sent on its own; `items`
   * lists every item in queue order with its state, for the "Waiting to sync" list. */
  async function status() {
    const all = await records();
    return {
      waiting: all.filter((r) => PENDING.has(r.state)).length,
      items: all.map((r) => ({
        id: r.id,
        kind: r.kind,
        state: r.state,
        summary: describe(r),
        error: r.error,
        retry_at: r.retry_at || null,
        contact_id: r.item.contact_id || null,
        note_id: r.item.note_id || null,
      })),
    };
  }

  async function get(id) {
    return transact(['outbox'], 'readonly', (tx) => promised(tx.objectStore('outbox').get(id)));
  }

  async function tell() {
    const current = await status();
    if (hasDocument) document.documentElement.dataset.outboxWaiting = String(current.waiting);
    if (hasWindow) window.dispatchEvent(new CustomEvent('crm-outbox-change', {detail: current}));
    return current;
  }

  /* Tells the page what the outbox holds once every change made so far is in it. A
   * telling reads every item: changes made while one runs share the one after it, so
   * a thousand notes queued at once read the outbox a few times, not a thousand. */
  let telling = null;
  let tellingNext = null;
  function announce() {
    if (!telling) {
      telling = tell().finally(() => { telling = null; });
      return telling;
    }
    if (!tellingNext) {
      tellingNext = telling.catch(() => {}).then(() => {
        tellingNext = null;
        return announce();
      });
    }
    return tellingNext;
  }

  /* Tells this page, the other tabs and the service worker's pages about a change. */
  async function changed() {
    if (channel) channel.postMessage({type: 'changed'});
    return hasWindow ? announce() : null;
  }

  if (channel && hasWindow) channel.onmessage = () => { announce().catch(() => {}); };

  async function registerBackgroundSync() {
    try {
      let registration = null;
      if (typeof ServiceWorkerGlobalScope !== 'undefined'
          && global instanceof ServiceWorkerGlobalScope) {
        registration = global.registration;
      } else if (typeof navigator !== 'undefined' && navigator.serviceWorker) {
        registration = await navigator.serviceWorker.getRegistration();
      }
      if (registration && registration.sync) await registration.sync.register(SYNC_TAG);
    } catch (_) {
      // Background Sync is a bonus: online/visibility/start-up flushes still run.
    }
  }

  /* The browser refused storage (quota, private mode): IndexedDB could not be
   * opened or written. */
  function storageRefused(error) {
    return Boolean(error) && STORAGE_ERRORS.has(error.name);
  }

  async function enqueue(kind, item) {
    const record = fresh({id: item.id, kind, queued_at: new Date().toISOString(), item});
    try {
      await store(kind, item, record);
    } catch (error) {
      if (!storageRefused(error)) throw error;
      if (hasDocument) {
        document.documentElement.dataset.storage = 'refused';
        window.dispatchEvent(new Event('crm-storage-refused'));
      }
      // Nothing can be kept on this phone: with a signal it goes straight to the
      // server (outbox-sync.js), without one it cannot be saved at all.
      if (isOffline() || !api.sendDirect) {
        throw validationError('storage', 'Not saved: this phone refuses to store it (storage '
          + 'full or private browsing) and there is no signal. Try again with a signal.');
      }
      return api.sendDirect(record);
    }
    await changed();
    if (hasWindow) await credentials().catch(() => {});
    await registerBackgroundSync();
    api.flush().catch(() => {});
    return record.id;
  }

  async function store(kind, item, record) {
    await transact(['outbox'], 'readwrite', async (tx) => {
      const store = tx.objectStore('outbox');
      const existing = await promised(store.get(record.id));
      // Follow-up changes share the follow-up's id: the latest change wins by its time.
      if (existing && kind === 'follow_up_update' && existing.kind === kind
          && existing.item.changed_at > item.changed_at) {
        return;
      }
      await promised(store.put(record));
    }, 'strict');
  }

  /* A record as it is queued again: waiting, in line behind what is queued now. */
  function fresh(record) {
    return {...record, seq: nextSeq(), state: 'waiting', error: null, attempts: 0, retry_at: null};
  }

  function checkSummary(summary) {
    if (typeof summary !== 'string' || !summary.trim()) {
      throw validationError('summary', 'Write what happened.');
    }
    if (codePoints(summary) > MAX_SUMMARY_CHARS) {
      throw validationError('summary', `A note can hold at most ${MAX_SUMMARY_CHARS} characters.`);
    }
  }

  function checkFollowUp(followUp) {
    if (!followUp) return;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(String(followUp.due_on || ''))) {
      throw validationError('due_on', 'Pick the date of the next step.');
    }
  }

  async function enqueueNote(note) {
    if (!note || typeof note !== 'object') throw validationError('note', 'A note is required.');
    if (!note.contact_id) throw validationError('contact_id', 'Choose a contact for this note.');
    if (typeof note.summary !== 'string') throw validationError('summary', 'Write what happened.');
    checkSummary(note.summary);
    checkFollowUp(note.follow_up);
    const item = {...note, id: note.id || uuid()};
    if (!item.occurred_at) item.occurred_at = (await serverNow()).toISOString();
    if (item.follow_up) item.follow_up = {...item.follow_up, id: item.follow_up.id || uuid()};
    return enqueue('interaction', item);
  }

  async function enqueueFollowUpUpdate(update) {
    if (!update || !update.id) throw validationError('id', 'Which follow-up changed?');
    if (!FOLLOW_UP_STATUSES.has(update.status)) {
      throw validationError('status', 'A follow-up is open, done or snoozed.');
    }
    if (update.status === 'snoozed' && !update.snooze_until) {
      throw validationError('snooze_until', 'Say until when the follow-up is snoozed.');
    }
    return enqueue('follow_up_update', {
      id: update.id,
      status: update.status,
      snooze_until: update.snooze_until || null,
      changed_at: update.changed_at || (await serverNow()).toISOString(),
    });
  }

  async function discard(id) {
    await transact(['outbox'], 'readwrite',
      (tx) => promised(tx.objectStore('outbox').delete(id)), 'strict');
    return changed();
  }

  /* Changes a record in one transaction and flushes: change(record) returns the new
   * record (or null to leave it); resolves with whether a record was changed. */
  async function rewrite(id, change) {
    const found = await transact(['outbox'], 'readwrite', async (tx) => {
      const store = tx.objectStore('outbox');
      const record = await promised(store.get(id));
      const next = record ? change(record) : null;
      if (!next) return false;
      if (next.id !== id) await promised(store.delete(id));
      await promised(store.put(next));
      return true;
    }, 'strict');
    await changed();
    if (found) api.flush().catch(() => {});
    return found;
  }

  /* Sends an item again as it is (after the cause was fixed elsewhere). */
  async function retry(id) {
    return rewrite(id, (record) => fresh(record));
  }

  /* The rep's correction of an item the server refused: `changes` holds the
   * fields the rep edited (summary, occurred_at, follow_up for a note; title and
   * due_on for a next step). It is checked like a new item, then sent again. */
  async function correct(id, changes) {
    const record = await get(id);
    if (!record) return false;
    const item = {...record.item, ...changes};
    if (record.kind === 'interaction') {
      checkSummary(item.summary);
      if (Number.isNaN(Date.parse(item.occurred_at || ''))) {
        throw validationError('occurred_at', 'Say when it happened.');
      }
      if (item.follow_up) item.follow_up = {...item.follow_up, id: item.follow_up.id || uuid()};
      checkFollowUp(item.follow_up);
    } else if (record.kind === 'next_step') {
      if (!String(item.title || '').trim()) throw validationError('title', 'Name the next step.');
      checkFollowUp(item);
    }
    return rewrite(id, (current) => fresh({...current, item}));
  }

  /* A note the server holds in another version: the phone's copy goes as a new note. */
  async function sendAsNew(id) {
    const newId = uuid();
    return rewrite(id, (record) => (record.kind === 'interaction'
      ? fresh({...record, id: newId, item: {...record.item, id: newId}}) : null));
  }

  function configure(options) {
    if (options && options.apiBase) settings.apiBase = options.apiBase;
  }

  async function token() {
    return (await credentials()).token;
  }

  const api = {
    openDB, configure, enqueueNote, enqueueFollowUpUpdate, status, discard, retry, correct,
    sendAsNew, apiFetch, token, announce, serverNow, localDay, SignedOutError, uuid,
    storageRefused,
    // Shared with contactbook.js (the same database) and pwa.js/push.js (the same token).
    transact, promised, storedToken: readStoredToken,
    // For outbox-sync.js, which adds flush() and sendNow().
    internals: {changed, isOffline, credentials, registerBackgroundSync, PENDING},
  };
  global.crmOutbox = api;
})(typeof self !== 'undefined' ? self : globalThis);
