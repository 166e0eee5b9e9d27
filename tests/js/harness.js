/* A tiny test harness for the browser code: no npm packages. Cases register with
 * test(name, fn); the pytest driver (tests/integration/test_offline_js.py) opens
 * unit.html in a fresh browser context per case and calls runCase(name). Opening
 * /js/unit.html?run=all on the test server runs every case in one page. */
'use strict';

const cases = new Map();

function test(name, fn) {
  cases.set(name, fn);
}

function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

function assertEqual(actual, expected, message) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message}: expected ${e}, got ${a}`);
}

async function assertRejects(promise, check, message) {
  try {
    await promise;
  } catch (error) {
    check(error);
    return;
  }
  throw new Error(`expected a rejection: ${message}`);
}

// Contact and follow-up ids are UUIDs, as the API's schemas require.
const DANA = '0d6f1f5e-6a43-4c2e-9d55-0f1a2b3c4d01';
const GONE = '0d6f1f5e-6a43-4c2e-9d55-0f1a2b3c4d99';

/* The fake API's control routes (see FakeRapport in test_offline_js.py). */
const fake = {
  async call(path, body) {
    const response = await fetch(`/_fake/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {'Content-Type': 'application/json'},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`fake ${path}: HTTP ${response.status}`);
    return response.json();
  },
  reset: () => fake.call('reset', {}),
  state: () => fake.call('state'),
  script: (actions) => fake.call('script', {actions}),
  rejectContacts: (ids) => fake.call('reject-contacts', {ids}),
  poison: (ids) => fake.call('poison', {ids}),
  contacts: (change) => fake.call('contacts', change),
};

/* Reads a store without going through the code under test. */
async function rawStore(name) {
  const db = await new Promise((resolve, reject) => {
    const req = indexedDB.open('rapport');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    if (!db.objectStoreNames.contains(name)) return [];
    return await new Promise((resolve, reject) => {
      const req = db.transaction([name]).objectStore(name).getAll();
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

function signIn(token) {
  localStorage.setItem('rapport_token', JSON.stringify(token));
}

function signOut() {
  localStorage.removeItem('rapport_token');
}

function note(overrides) {
  return {
    contact_id: DANA, kind: 'meeting', direction: 'outbound', sentiment: 'positive',
    summary: 'Walked the site with Dana; she wants a quote by Friday.', ...overrides,
  };
}

async function clearDatabase() {
  const db = await crmOutbox.openDB();
  await new Promise((resolve, reject) => {
    const tx = db.transaction(['outbox', 'meta', 'contacts'], 'readwrite');
    ['outbox', 'meta', 'contacts'].forEach((name) => tx.objectStore(name).clear());
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
}

async function runCase(name) {
  const fn = cases.get(name);
  if (!fn) throw new Error(`no such case: ${name}`);
  await fake.reset();
  await clearDatabase();
  // Pauses after a server failure are kept short here; their growth is what is tested.
  crmOutbox.configureTiming({baseMs: 20, inlineMaxMs: 2000});
  signIn('test-token');
  await fn();
  return 'passed';
}

window.addEventListener('load', async () => {
  if (new URLSearchParams(location.search).get('run') !== 'all') return;
  const out = document.getElementById('results');
  for (const name of cases.keys()) {
    try {
      await runCase(name);
      out.textContent += `ok   ${name}\n`;
    } catch (error) {
      out.textContent += `FAIL ${name}: ${error.message}\n`;
    }
  }
});
