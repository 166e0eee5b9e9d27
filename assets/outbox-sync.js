/* Rapport outbox, the sending half: flush() sends what outbox.js holds to the
 * server and settles each item by the server's answer. Load after outbox.js (the
 * page and the service worker both do); it adds flush() and sendNow() to crmOutbox.
 *
 * No item may hold up the others. Notes and follow-up changes go in batches to
 * POST /api/v1/sync. A batch the server refuses as a whole (400/413/422) is
 * split in halves until the item at fault is found and rejected with the
 * server's reason. A batch the server fails on (5xx, or 503 "busy" with
 * Retry-After) is sent again in halves after a pause that grows with each
 * failure in a row (and is never shorter than Retry-After): the good items get
 * through, and an item the server fails on even alone is `stuck`, shown to the
 * rep and tried again on its own later. Failures with no success in between
 * mean the server is down, not that an item is bad: the flush stops, nothing is
 * blamed, and it is tried again after the pause. */
(function (global) {
  'use strict';

  const api = global.crmOutbox;
  const {transact, promised, apiFetch, SignedOutError} = api;
  const {changed, isOffline, credentials, PENDING} = api.internals;
  const hasWindow = typeof window !== 'undefined';

  const MAX_BATCH = 1000;
  const ACKNOWLEDGED = new Set(['created', 'duplicate', 'updated']);
  const REFUSED = [400, 404, 409, 413, 422];
  // Server failures in a row, with nothing acknowledged between them, before the
  // flush stops and waits: with pauses of 1, 2, 4, ... s that is about a minute.
  const FAILURES_BEFORE_STOPPING = 6;
  const BLAME_AFTER = 3;
  const timing = {
    baseMs: 1000, // the first pause after a server failure
    inlineMaxMs: 20000, // a longer pause ends the flush and schedules the next one
    stuckBaseMs: 60000, // a stuck item is tried again after 1, 2, 4, ... minutes
    stuckMaxMs: 60 * 60000,
  };

  let flushing = null;
  let flushRequested = false;
  let wakeTimer = null;

  const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

  function retryAfterMs(response) {
    const value = response.headers.get('Retry-After');
    if (!value) return 0;
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const when = Date.parse(value);
    return Number.isNaN(when) ? 0 : Math.max(0, when - Date.now());
  }

  function errorText(error) {
    if (error === null || error === undefined || error === '') return 'Refused by the server.';
    if (typeof error === 'string') return error;
    // FastAPI's 422 detail is a list of {loc, msg}: the messages are what a rep can read.
    if (Array.isArray(error) && error.every((e) => e && e.msg)) {
      return error.map((e) => e.msg).join('; ');
    }
    return JSON.stringify(error);
  }

  async function detail(response) {
    try {
      return errorText((await response.json()).detail);
    } catch (_) {
      return `The server answered ${response.status}.`;
    }
  }

  function stuckText(status) {
    return `The server failed on this item (error ${status}). It stays on this phone and `
      + 'is sent again by itself.';
  }

  /* Applies the server's answers; a record is touched only if it is still the
   * version that was sent (a newer follow-up change may have replaced it).
   * An outcome: {acknowledged, nextStep?: {id, error}} or {state, error}. */
  async function settle(sent, outcomes, report) {
    const touched = await transact(['outbox'], 'readwrite', async (tx) => {
      const store = tx.objectStore('outbox');
      let count = 0;
      for (const record of sent) {
        const outcome = outcomes.get(record.id);
        if (!outcome) continue;
        const current = await promised(store.get(record.id));
        if (!current || current.seq !== record.seq) continue;
        count += 1;
        if (!outcome.acknowledged) {
          await promised(store.put({...current, ...outcome}));
          report[outcome.state] += 1;
          continue;
        }
        await promised(store.delete(record.id));
        report.acked += 1;
        if (outcome.nextStep) await promised(store.put(refusedNextStep(current, outcome.nextStep)));
      }
      return count;
    }, 'strict');
    if (touched) await changed();
  }

  /* The note is stored but its next step was refused: the next step stays on the
   * phone as an item of its own, for the rep to correct and send again. */
  function refusedNextStep(note, refusal) {
    const followUp = note.item.follow_up || {};
    const id = refusal.id || followUp.id || api.uuid();
    return {
      id, kind: 'next_step', seq: note.seq, state: 'rejected', error: refusal.error,
      attempts: 0, retry_at: null, queued_at: note.queued_at,
      item: {id, contact_id: note.item.contact_id, note_id: note.id,
        title: followUp.title || 'Follow up', due_on: followUp.due_on},
    };
  }

  function outcomeOf(result) {
    if (ACKNOWLEDGED.has(result.status)) {
      const step = result.follow_up;
      const nextStep = step && step.status === 'rejected'
        ? {id: step.id || null, error: errorText(step.error)} : null;
      return {acknowledged: true, nextStep};
    }
    if (result.status === 'rejected' || result.status === 'conflict') {
      return {state: result.status, error: errorText(result.error)};
    }
    return null;
  }

  async function post(records) {
    if (records[0].kind === 'next_step') {
      const {contact_id: contactId, title, due_on: dueOn} = records[0].item;
      return apiFetch(`/contacts/${encodeURIComponent(contactId)}/follow-ups`, {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({title, due_on: dueOn}),
      });
    }
    return apiFetch('/sync', {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({
        interactions: records.filter((r) => r.kind === 'interaction').map((r) => r.item),
        follow_up_updates: records.filter((r) => r.kind === 'follow_up_update')
          .map((r) => r.item),
      }),
    });
  }

  async function halves(records, run) {
    const half = Math.ceil(records.length / 2);
    return (await send(records.slice(0, half), run)) && send(records.slice(half), run);
  }

  /* A 5xx: pause, then isolate the item at fault by halving. Resolves false when
   * the flush should stop (the server looks down, or asks for a long pause). */
  async function serverFailed(records, run, response) {
    run.failures += 1;
    const pause = Math.max(retryAfterMs(response), timing.baseMs * 2 ** (run.failures - 1));
    if (run.failures >= FAILURES_BEFORE_STOPPING || pause > timing.inlineMaxMs) {
      run.report.error = `http-${response.status}`;
      run.report.retryAt = Date.now() + pause;
      return false;
    }
    await sleep(pause);
    if (records.length > 1) return halves(records, run);
    const [record] = records;
    if (!run.triedAlone.has(record.id)) {
      run.triedAlone.add(record.id);
      return send(records, run);
    }
    run.suspects.set(record.id, {record, status: response.status});
    return true;
  }

  /* Sends one batch (or one next step); resolves false when the flush should stop. */
  async function send(records, run) {
    const {report} = run;
    let response;
    try {
      response = await post(records);
    } catch (error) {
      report.error = error instanceof SignedOutError ? 'signed-out' : 'network';
      return false;
    }
    if (response.status >= 500) return serverFailed(records, run, response);
    if (REFUSED.includes(response.status)) {
      run.failures = 0;
      if (records.length > 1) return halves(records, run);
      const refusal = {state: 'rejected', error: await detail(response)};
      await settle(records, new Map([[records[0].id, refusal]]), report);
      return true;
    }
    if (!response.ok) {
      report.error = response.status === 401 ? 'unauthorized' : `http-${response.status}`;
      return false;
    }
    run.failures = 0;
    if (records[0].kind === 'next_step') {
      await settle(records, new Map([[records[0].id, {acknowledged: true}]]), report);
      return true;
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
      const outcome = result && result.id ? outcomeOf(result) : null;
      if (outcome) outcomes.set(result.id, outcome);
    }
    await settle(records, outcomes, report);
    return true;
  }

  /* The items the server failed on even alone become `stuck`. When nothing got
   * through in this flush the server may simply be down, so an item is blamed
   * only after it failed alone in BLAME_AFTER flushes; until then it waits. */
  async function blameSuspects(run) {
    if (!run.suspects.size) return;
    const now = Date.now();
    const down = run.report.acked === 0;
    await transact(['outbox'], 'readwrite', async (tx) => {
      const store = tx.objectStore('outbox');
      for (const {record, status} of run.suspects.values()) {
        const current = await promised(store.get(record.id));
        if (!current || current.seq !== record.seq) continue;
        const attempts = (current.attempts || 0) + 1;
        const pause = Math.min(timing.stuckBaseMs * 2 ** (attempts - 1), timing.stuckMaxMs);
        const retryAt = now + pause;
        if (down && attempts < BLAME_AFTER) {
          await promised(store.put({...current, attempts}));
          run.report.error = run.report.error || `http-${status}`;
          run.report.retryAt = Math.min(run.report.retryAt || retryAt, retryAt);
          continue;
        }
        await promised(store.put({...current, state: 'stuck', error: stuckText(status),
          attempts, retry_at: new Date(retryAt).toISOString()}));
        run.report.stuck += 1;
      }
    }, 'strict');
    await changed();
  }

  /* Waiting items in queue order, and stuck ones whose time has come (sent alone). */
  async function due(sent) {
    const now = Date.now();
    const all = await transact(['outbox'], 'readonly',
      (tx) => promised(tx.objectStore('outbox').getAll()));
    const fresh = all.filter((r) => !sent.has(`${r.id}:${r.seq}`))
      .sort((a, b) => a.seq - b.seq);
    return {
      waiting: fresh.filter((r) => r.state === 'waiting'),
      stuck: fresh.filter((r) => r.state === 'stuck' && Date.parse(r.retry_at) <= now),
    };
  }

  async function flushOnce(run) {
    // Each version of an item is sent at most once per pass, so an item the
    // server leaves unanswered cannot make this loop spin.
    const sent = new Set();
    const mark = (records) => records.forEach((r) => sent.add(`${r.id}:${r.seq}`));
    if (isOffline()) { run.report.error = 'offline'; return; }
    if (!(await credentials()).token) { run.report.error = 'signed-out'; return; }
    for (;;) {
      const {waiting, stuck} = await due(sent);
      const batch = waiting.filter((r) => r.kind !== 'next_step').slice(0, MAX_BATCH);
      const alone = batch.length ? [] : [...waiting, ...stuck].slice(0, 1);
      const records = batch.length ? batch : alone;
      if (!records.length) return;
      mark(records);
      run.report.sent += records.length;
      if (!(await send(records, run))) return;
    }
  }

  /* In the page, the next try after a pause or at the first stuck item's time. */
  async function scheduleWake(report) {
    if (!hasWindow) return;
    const times = (await api.status()).items
      .filter((item) => item.state === 'stuck').map((item) => Date.parse(item.retry_at));
    if (report.retryAt) times.push(report.retryAt);
    clearTimeout(wakeTimer);
    if (!times.length) return;
    wakeTimer = setTimeout(() => { flush().catch(() => {}); },
      Math.max(0, Math.min(...times) - Date.now()) + 50);
  }

  async function runFlush() {
    const report = {sent: 0, acked: 0, rejected: 0, conflict: 0, stuck: 0, error: null,
      retryAt: null};
    // A flush asked for during this one gets one more pass, even after a failure:
    // the caller may have just signed in or come back online.
    const body = async () => {
      do {
        flushRequested = false;
        report.error = null;
        const run = {report, failures: 0, triedAlone: new Set(), suspects: new Map()};
        await flushOnce(run);
        await blameSuspects(run);
      } while (flushRequested);
    };
    // One flush at a time across the page, other tabs and the service worker.
    if (typeof navigator !== 'undefined' && navigator.locks) {
      await navigator.locks.request('rapport-outbox-flush', body);
    } else {
      await body();
    }
    // Not awaited: a flush asked for from here on must start a new run, not join this one.
    scheduleWake(report).catch(() => {});
    return report;
  }

  /* Single-flight: a call while a flush runs returns the running promise (which
   * then makes one more pass, so items enqueued meanwhile are not left behind).
   * Resolves with {sent, acked, rejected, conflict, stuck, error, retryAt}; error
   * is null, 'offline', 'signed-out', 'network', 'unauthorized', 'bad-response'
   * or 'http-<status>'. */
  function flush() {
    if (flushing) {
      flushRequested = true;
      return flushing;
    }
    flushing = runFlush().finally(() => { flushing = null; });
    return flushing;
  }

  /* Flushes and says what became of the item `id` (a note just saved, say):
   * {state: 'sent'|'waiting'|'stuck'|'rejected'|'conflict', error, nextStep}, where
   * nextStep is the refused next step of a note the server did store. */
  async function sendNow(id) {
    if (direct.has(id)) return direct.get(id);
    const report = await flush();
    const {items} = await api.status();
    const mine = items.find((item) => item.id === id);
    if (mine) {
      const state = mine.state === 'waiting' || (report.error && PENDING.has(mine.state))
        ? 'waiting' : mine.state;
      return {state, error: mine.error, nextStep: null};
    }
    const step = items.find((item) => item.kind === 'next_step' && item.note_id === id);
    return {state: 'sent', error: null, nextStep: step ? {id: step.id, error: step.error} : null};
  }

  /* Storage refused: one item straight to the server, kept nowhere. Resolves with
   * its id; sendNow(id) then says what became of it, in its usual words. */
  const direct = new Map();
  async function sendDirect(record) {
    let outcome;
    try {
      const response = await post([record]);
      if (!response.ok) {
        outcome = {state: 'rejected', error: await detail(response), nextStep: null};
      } else {
        const [result] = (await response.json()).results || [];
        const read = result ? outcomeOf(result) : null;
        outcome = read && read.acknowledged
          ? {state: 'sent', error: null, nextStep: read.nextStep}
          : {state: 'rejected', error: read ? read.error : 'Refused by the server.', nextStep: null};
      }
    } catch (error) {
      outcome = {state: 'rejected', nextStep: null, error: error instanceof SignedOutError
        ? 'Sign in again to save it.' : 'No answer from the server: try again.'};
    }
    direct.set(record.id, outcome);
    return record.id;
  }

  function configureTiming(options) {
    Object.assign(timing, options);
  }

  Object.assign(api, {flush, sendNow, sendDirect, configureTiming});
})(typeof self !== 'undefined' ? self : globalThis);
