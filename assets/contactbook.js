/* Rapport contact book on the phone: the contacts the signed-in user may see,
 * kept in IndexedDB (store "contacts" of the database that outbox.js opens) and
 * searchable offline with the same rules as GET /api/v1/contacts?q=.
 * Needs outbox.js loaded first (window.crmOutbox). */
(function (global) {
  'use strict';

  const PAGE_SIZE = 100;
  const outbox = () => global.crmOutbox;
  let refreshing = null;
  let cache = null;

  const promised = (request) => outbox().promised(request);
  const transact = (storeNames, mode, body) => outbox().transact(storeNames, mode, body);

  /* The rules of search, shared with the server (assets/search.json, read by
   * crm_pwa/domain/search.py too): fetched with the book and kept beside it, so
   * they are there offline. The functions below mirror that module's, step for
   * step; a test compares both on the same contacts and queries. */
  const RULES_URL = '/search.json';
  let rules = null;

  function prepare(spec) {
    const steps = new Map(spec.fields.slice()
      .sort((a, b) => a.rank - b.rank || a.id - b.id).map((field, step) => [field.id, step]));
    return {
      ...spec,
      steps,
      ranges: spec.unspaced.map((r) => [parseInt(r.from, 16), parseInt(r.to, 16)]),
    };
  }

  async function loadRules() {
    if (rules) return rules;
    let spec = await transact(['meta'], 'readonly',
      (tx) => promised(tx.objectStore('meta').get('search-rules')));
    if (!spec) spec = await fetchRules().catch(() => null);
    if (spec) rules = prepare(spec);
    return rules;
  }

  async function fetchRules() {
    const response = await fetch(RULES_URL, {cache: 'no-cache'});
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const spec = await response.json();
    await transact(['meta'], 'readwrite',
      (tx) => promised(tx.objectStore('meta').put(spec, 'search-rules')));
    rules = prepare(spec);
    cache = null;
    return spec;
  }

  const chars = (text) => Array.from(text);
  const cut = (text, size) => chars(text).slice(0, size).join('');

  /* Compatibility forms split, lower case, marks dropped, the letters table applied,
   * NFC at the end (Hangul syllables back together). */
  function fold(text, r) {
    const bare = String(text || '').normalize('NFKD').toLowerCase().replace(/\p{M}/gu, '');
    return chars(bare).map((ch) => (Object.hasOwn(r.letters, ch) ? r.letters[ch] : ch))
      .join('').normalize('NFC');
  }

  const unspaced = (ch, r) => {
    const point = ch.codePointAt(0);
    return r.ranges.some(([low, high]) => low <= point && point <= high);
  };

  /* Runs of letters and digits, each split where it goes in or out of a script
   * written without spaces: [word, unspaced] pairs. */
  function tokens(text, r) {
    const found = [];
    for (const run of fold(text, r).match(/[\p{L}\p{N}]+/gu) || []) {
      let word = '';
      let kind = false;
      for (const ch of run) {
        const next = unspaced(ch, r);
        if (word && next !== kind) {
          found.push([word, kind]);
          word = '';
        }
        word += ch;
        kind = next;
      }
      found.push([word, kind]);
    }
    return found;
  }

  const isDecimal = (point) => point >= 0 && /\p{Nd}/u.test(String.fromCodePoint(point));

  /* Decimal digits as 0-9 whatever was typed: Unicode puts every set of digits
   * in a row from 0 to 9, so a digit's value is how many digits come before it. */
  function digits(text) {
    let found = '';
    for (const ch of String(text || '')) {
      const point = ch.codePointAt(0);
      if (!isDecimal(point)) continue;
      let before = 0;
      while (isDecimal(point - before - 1)) before += 1;
      found += String(before % 10);
    }
    return found;
  }

  function wordTerms(text, r) {
    return tokens(text, r).flatMap(([word, spaceless]) => {
      if (!spaceless) return [cut(word, r.max_term)];
      const letters = chars(word);
      return letters.map((_, start) => letters.slice(start, start + r.max_unspaced_term).join(''));
    });
  }

  /* Code point order, as the databases compare terms (UTF-16 order differs above U+FFFF). */
  function compare(a, b) {
    const size = Math.min(a.length, b.length);
    for (let i = 0; i < size; i += 1) {
      let x = a.charCodeAt(i);
      let y = b.charCodeAt(i);
      if (x === y) continue;
      if (x >= 0xD800) x += x >= 0xE000 ? -0x800 : 0x2000;
      if (y >= 0xD800) y += y >= 0xE000 ? -0x800 : 0x2000;
      return x - y;
    }
    return a.length - b.length;
  }

  /* [step, term] pairs of a contact, best first: step is the field's place in rank order. */
  function contactTerms(contact, r) {
    const seen = new Set();
    const terms = [];
    const add = (step, term) => {
      const key = `${step} ${term}`;
      if (!seen.has(key)) {
        seen.add(key);
        terms.push([step, term]);
      }
    };
    for (const field of r.fields) {
      const step = r.steps.get(field.id);
      const value = contact[field.key] || '';
      for (const text of Array.isArray(value) ? value.map(String) : [String(value)]) {
        if (field.kind === 'digits') {
          const all = chars(text);
          for (let start = 0; start <= all.length - r.min_phone_digits; start += 1) {
            add(step, all.slice(start, start + r.max_term).join(''));
          }
          continue;
        }
        if (field.kind === 'email' && text.trim()) add(step, cut(fold(text.trim(), r), r.max_term));
        wordTerms(text, r).forEach((term) => add(step, term));
      }
    }
    return terms.sort((a, b) => a[0] - b[0] || compare(a[1], b[1]));
  }

  /* The words to match, the longest (the one that places a contact) first. */
  function parseQuery(text, r) {
    const typed = chars(String(text || '').trim()).slice(0, r.max_query_chars).join('');
    if (!/\p{L}/u.test(typed)) {
      const run = digits(typed);
      if (run.length >= r.min_phone_digits) return [run];
    }
    return tokens(typed, r).slice(0, r.max_query_words)
      .map(([word, spaceless]) => cut(word, spaceless ? r.max_unspaced_term : r.max_term))
      .sort((a, b) => chars(b).length - chars(a).length);
  }

  function fromServer(contact) {
    return {
      id: contact.id,
      name: contact.name || '',
      company: contact.company || null,
      title: contact.title || null,
      connection_notes: contact.connection_notes || '',
      phone: contact.phone || null,
      phone_digits: contact.phone_digits || '',
      email: contact.email || null,
      tier: contact.tier || null,
      tags: Array.isArray(contact.tags) ? contact.tags : [],
      last_interaction_at: contact.last_interaction_at || null,
      open_follow_ups: contact.open_follow_ups || 0,
      band: (contact.health && contact.health.band) || contact.band || null,
      updated_at: contact.updated_at || null,
    };
  }

  async function fingerprint(token) {
    const bytes = new TextEncoder().encode(token);
    const hash = await crypto.subtle.digest('SHA-256', bytes);
    return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function announce(count) {
    if (typeof document !== 'undefined') document.documentElement.dataset.bookCount = String(count);
    if (typeof window !== 'undefined') {
      window.dispatchEvent(new CustomEvent('crm-book-change', {detail: {count}}));
    }
  }

  async function count() {
    return transact(['contacts'], 'readonly', (tx) => promised(tx.objectStore('contacts').count()));
  }

  async function getJSON(path) {
    const response = await outbox().apiFetch(path, {method: 'GET'});
    if (!response.ok) {
      const error = new Error(`HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  async function clear() {
    cache = null;
    await transact(['contacts', 'meta'], 'readwrite', async (tx) => {
      await promised(tx.objectStore('contacts').clear());
      await promised(tx.objectStore('meta').delete('book'));
    });
    announce(0);
  }

  async function runRefresh() {
    const token = await outbox().token();
    if (!token) return {updated: 0, removed: 0, error: 'signed-out'};
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      return {updated: 0, removed: 0, error: 'offline'};
    }
    const owner = await fingerprint(token);
    let book = await transact(['meta'], 'readonly',
      (tx) => promised(tx.objectStore('meta').get('book')));
    // Another sign-in may be another person: start again from an empty book.
    if (!book || book.owner !== owner) {
      await clear();
      book = {owner, since: null};
    }
    let updated = 0;
    let since = book.since;
    await fetchRules().catch(() => null);
    let cursor = null;
    try {
      do {
        const params = new URLSearchParams({limit: String(PAGE_SIZE)});
        if (book.since) params.set('updated_since', book.since);
        if (cursor) params.set('cursor', cursor);
        const page = await getJSON(`/contacts?${params}`);
        const items = (page.items || []).map(fromServer);
        await transact(['contacts'], 'readwrite', (tx) => {
          const store = tx.objectStore('contacts');
          items.forEach((item) => store.put(item));
        });
        for (const item of items) {
          // The server's own clock decides what "changed since" means; the phone's may be off.
          if (item.updated_at && (!since || Date.parse(item.updated_at) > Date.parse(since))) {
            since = item.updated_at;
          }
        }
        updated += items.length;
        cursor = page.next_cursor || null;
      } while (cursor);
      const visible = new Set((await getJSON('/contacts/ids')).ids || []);
      const removed = await transact(['contacts', 'meta'], 'readwrite', async (tx) => {
        const store = tx.objectStore('contacts');
        const stale = (await promised(store.getAllKeys())).filter((id) => !visible.has(id));
        stale.forEach((id) => store.delete(id));
        tx.objectStore('meta').put({owner, since}, 'book');
        return stale.length;
      });
      cache = null;
      announce(await count());
      return {updated, removed, error: null};
    } catch (error) {
      cache = null;
      const reason = error instanceof outbox().SignedOutError ? 'signed-out'
        : error.status ? `http-${error.status}` : 'network';
      return {updated, removed: 0, error: reason};
    }
  }

  /* Fetches what changed since the last refresh (all contacts the first time) and
   * drops the ones no longer visible. Single-flight. Resolves with
   * {updated, removed, error}; error is null, 'offline', 'signed-out', 'network'
   * or 'http-<status>'. */
  function refresh() {
    if (!refreshing) refreshing = runRefresh().finally(() => { refreshing = null; });
    return refreshing;
  }

  async function all(r) {
    if (!cache) {
      const contacts = await transact(['contacts'], 'readonly',
        (tx) => promised(tx.objectStore('contacts').getAll()));
      cache = contacts.map((contact) => ({contact, terms: contactTerms(contact, r)}));
    }
    return cache;
  }

  const byName = (a, b) => a.contact.name.localeCompare(b.contact.name, undefined,
    {sensitivity: 'base'});

  /* Where the server puts a contact: its best [step, term] for the lead word, when
   * every other word starts some term too; null when it does not match. */
  function place(entry, [lead, ...others]) {
    const hit = entry.terms.find(([, term]) => term.startsWith(lead));
    if (!hit) return null;
    const matches = (word) => entry.terms.some(([, term]) => term.startsWith(word));
    return others.every(matches) ? hit : null;
  }

  /* Best match first, as GET /api/v1/contacts?q= orders them: by field rank, then
   * term, then id. A blank query lists the book by name. */
  async function search(query, limit = 20) {
    const r = await loadRules();
    if (!r) return [];
    const entries = await all(r);
    if (!String(query || '').trim()) {
      return entries.slice().sort(byName).slice(0, limit).map((e) => e.contact);
    }
    const queryWords = parseQuery(query, r);
    if (!queryWords.length) return [];
    return entries
      .map((entry) => ({entry, place: place(entry, queryWords)}))
      .filter((hit) => hit.place !== null)
      .sort((a, b) => a.place[0] - b.place[0] || compare(a.place[1], b.place[1])
        || compare(a.entry.contact.id, b.entry.contact.id))
      .slice(0, limit)
      .map((hit) => hit.entry.contact);
  }

  async function get(id) {
    return transact(['contacts'], 'readonly', (tx) => promised(tx.objectStore('contacts').get(id)));
  }

  global.crmBook = {refresh, search, get, count, clear};
})(typeof self !== 'undefined' ? self : globalThis);
