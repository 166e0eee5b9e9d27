/* Rapport outbox: notes and follow-up changes are written to IndexedDB first and
 * leave it only when the server has acknowledged them (POST /api/v1/sync).
 * Plain script, loaded by the page (window.crmOutbox) and by the service worker
 * (importScripts('/outbox.js'), self.crmOutbox). It also owns the one IndexedDB
 * open/upgrade of the "rapport" database, which contactbook.js shares. */
(function (global) {
  'use strict';

  const DB_NAME = 'rapport';
  const DB_VERSION = 1;
  const MAX_BATCH = 1000;
  const MAX_SUMMARY_CHARS = 10000;
  const REQUEST_TIMEOUT_MS = 30000;
  const SYNC_TAG = 'flush-outbox';
  const TOKEN_KEY = 'rapport_token';
  const ACKNOWLEDGED = new Set(['created', 'duplicate', 'updated']);
  const FOLLOW_UP_STATUSES = new Set(['open', 'done', 'snoozed']);
  const hasWindow = typeof window !== 'undefined';
  const hasDocument = typeof document !== 'undefined';
  const channel = typeof BroadcastChannel === 'function'
    ? new BroadcastChannel('rapport-outbox') : null;

  const settings = {apiBase: '/api/v1'};
  let dbPromise = null;
  let flushing = null;
  let flushRequested = false;
  let lastSeq = 0;
  // Server time minus phone time, learnt from the X-Server-Time header of every API
  // answer and kept in `meta` for offline use. Changes are stamped on the server's
  // clock so "the latest change wins" is not decided by a phone whose clock is off.
  let clockOffsetMs = null;

  function openDB() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB_NAME, DB_VERSION);
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
      const previous = await metaGet('auth');
      if (!previous || previous.token !== saved.token || previous.apiBase !== saved.apiBase) {
        await metaPut('auth', saved);
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

  async function status() {
    const [waiting, rejected] = await transact(['outbox'], 'readonly', (tx) => {
      const byState = tx.objectStore('outbox').index('state');
      return Promise.all([
        promised(byState.count('waiting')),
        promised(byState.getAll('rejected')),
      ]);
    });
    rejected.sort((a, b) => a.seq - b.seq);
    return {
      waiting,
      rejected: rejected.map((r) => ({
        id: r.id,
        kind: r.kind,
        summary: describe(r),
        error: r.error,
        contact_id: r.kind === 'interaction' ? r.item.contact_id : null,
      })),
    };
  }

  function describe(record) {
    if (record.kind === 'interaction') return record.item.summary;
    const until = record.item.snooze_until ? ` until ${record.item.snooze_until}` : '';
    return `Follow-up marked ${record.item.status}${until}`;
  }

  async function announce() {
    const current = await status();
    if (hasDocument) document.documentElement.dataset.outboxWaiting = String(current.waiting);
    if (hasWindow) window.dispatchEvent(new CustomEvent('crm-outbox-change', {detail: current}));
    return current;
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

  async function enqueue(kind, item) {
    const record = {id: item.id, kind, seq: nextSeq(), state: 'waiting', error: null,
                    queued_at: new Date().toISOString(), item};
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
    await changed();
    if (hasWindow) await credentials().catch(() => {});
    await registerBackgroundSync();
    flush().catch(() => {});
    return record.id;
  }

  async function enqueueNote(note) {
    if (!note || typeof note !== 'object') throw validationError('note', 'A note is required.');
    if (!note.contact_id) throw validationError('contact_id', 'Choose a contact for this note.');
    if (typeof note.summary !== 'string') throw validationError('summary', 'Write what happened.');
    if (codePoints(note.summary) > MAX_SUMMARY_CHARS) {
      throw validationError('summary', `A note can hold at most ${MAX_SUMMARY_CHARS} characters.`);
    }
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

  function errorText(error) {
    if (error === null || error === undefined || error === '') return 'Rejected by the server';
    if (typeof error === 'string') return error;
    // FastAPI's 422 detail is a list of {loc, msg}: the messages are what a rep can read.
    if (Array.isArray(error) && error.every((e) => e && e.msg)) {
      return error.map((e) => e.msg).join('; ');
    }
    return JSON.stringify(error);
  }

  /* Applies the server's answer; a record is touched only if it is still the
   * version that was sent (a newer follow-up change may have replaced it). */
  async function settle(sent, outcomes, report) {
    const touched = await transact(['outbox'], 'readwrite', async (tx) => {
      const store = tx.objectStore('outbox');
      let count = 0;
      for (const record of sent) {
        const outcome = outcomes.get(record.id);
        if (!outcome) continue;
        const current = await promised(store.get(record.id));
        if (!current || current.seq !== record.seq) continue;
        if (outcome.acknowledged) {
          await promised(store.delete(record.id));
          report.acked += 1;
        } else {
          await promised(store.put({...current, state: 'rejected', error: outcome.error}));
          report.rejected += 1;
        }
        count += 1;
      }
      return count;
    }, 'strict');
    if (touched) await changed();
  }

  async function detail(response) {
    try {
      const body = await response.json();
      return errorText(body && body.detail);
    } catch (_) {
      return `HTTP ${response.status}`;
    }
  }

  /* Sends one batch. Whole-request 400/413/422 answers are split in halves to
   * find the item the server cannot take; that one item is then rejected with
   * the server's reason instead of blocking the outbox forever. */
  async function sendBatch(records, report) {
    const body = {
      interactions: records.filter((r) => r.kind === 'interaction').map((r) => r.item),
      follow_up_updates: records.filter((r) => r.kind === 'follow_up_update').map((r) => r.item),
    };
    let response;
    try {
      response = await apiFetch('/sync', {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify(body),
      });
    } catch (error) {
      report.error = error instanceof SignedOutError ? 'signed-out' : 'network';
      return false;
    }
    if ([400, 413, 422].includes(response.status)) {
      if (records.length > 1) {
        const half = Math.ceil(records.length / 2);
        return (await sendBatch(records.slice(0, half), report))
          && sendBatch(records.slice(half), report);
      }
      const reason = await detail(response);
      await settle(records, new Map([[records[0].id, {error: reason}]]), report);
      return true;
    }
    if (!response.ok) {
      report.error = response.status === 401 ? 'unauthorized' : `http-${response.status}`;
      return false;
    }
    let results;
    try {
      results = (await response.json()).results;
    } catch (_) {
      report.error = 'bad-response';
      return false;
    }
    const outcomes = new Map();
    for (const result of Array.isArray(results) ? results : []) {
      if (!result || !result.id) continue;
      if (ACKNOWLEDGED.has(result.status)) {
        outcomes.set(result.id, {acknowledged: true});
      } else if (result.status === 'rejected') {
        outcomes.set(result.id, {error: errorText(result.error)});
      }
    }
    await settle(records, outcomes, report);
    return true;
  }

  async function waitingRecords(exclude) {
    const records = await transact(['outbox'], 'readonly',
      (tx) => promised(tx.objectStore('outbox').index('state').getAll('waiting')));
    return records.filter((r) => !exclude.has(`${r.id}:${r.seq}`)).sort((a, b) => a.seq - b.seq);
  }

  async function flushOnce(report) {
    // Each version of an item is sent at most once per flush, so an item the
    // server leaves unanswered cannot make this loop spin.
    const sent = new Set();
    if (isOffline()) { report.error = 'offline'; return false; }
    if (!(await credentials()).token) { report.error = 'signed-out'; return false; }
    for (;;) {
      const batch = (await waitingRecords(sent)).slice(0, MAX_BATCH);
      if (!batch.length) return true;
      batch.forEach((r) => sent.add(`${r.id}:${r.seq}`));
      report.sent += batch.length;
      if (!(await sendBatch(batch, report))) return false;
    }
  }

  async function runFlush() {
    const report = {sent: 0, acked: 0, rejected: 0, error: null};
    // A flush asked for during this one gets one more pass, even after a failure:
    // the caller may have just signed in or come back online.
    const body = async () => {
      do {
        flushRequested = false;
        report.error = null;
        await flushOnce(report);
      } while (flushRequested);
    };
    // One flush at a time across the page, other tabs and the service worker.
    if (typeof navigator !== 'undefined' && navigator.locks) {
      await navigator.locks.request('rapport-outbox-flush', body);
    } else {
      await body();
    }
    return report;
  }

  /* Single-flight: a call while a flush runs returns the running promise (which
   * then makes one more pass, so items enqueued meanwhile are not left behind).
   * Resolves with {sent, acked, rejected, error}; error is null, 'offline',
   * 'signed-out', 'network', 'unauthorized', 'bad-response' or 'http-<status>'. */
  function flush() {
    if (flushing) {
      flushRequested = true;
      return flushing;
    }
    flushing = runFlush().finally(() => { flushing = null; });
    return flushing;
  }

  async function discard(id) {
    await transact(['outbox'], 'readwrite',
      (tx) => promised(tx.objectStore('outbox').delete(id)), 'strict');
    return changed();
  }

  async function retry(id) {
    const found = await transact(['outbox'], 'readwrite', async (tx) => {
      const store = tx.objectStore('outbox');
      const record = await promised(store.get(id));
      if (!record) return false;
      await promised(store.put({...record, state: 'waiting', error: null, seq: nextSeq()}));
      return true;
    }, 'strict');
    await changed();
    if (found) flush().catch(() => {});
    return found;
  }

  function configure(options) {
    if (options && options.apiBase) settings.apiBase = options.apiBase;
  }

  async function token() {
    return (await credentials()).token;
  }

  global.crmOutbox = {
    openDB, configure, enqueueNote, enqueueFollowUpUpdate, flush, status, discard, retry,
    apiFetch, token, announce, serverNow, localDay, SignedOutError,
    // Shared with contactbook.js (the same database) and pwa.js/push.js (the same token).
    transact, promised, storedToken: readStoredToken,
  };
})(typeof self !== 'undefined' ? self : globalThis);
