/* Rapport contact book on the phone: the card of every contact the signed-in user
 * may see (GET /api/v1/book: fields, connection notes, open follow-ups, complaints
 * and opportunities, the latest 20 timeline entries), kept in IndexedDB (store
 * "contacts" of the database that outbox.js opens), brought up to date with only
 * what changed, and searchable offline with the same rules as GET /api/v1/contacts?q=.
 * Needs outbox.js loaded first (window.crmOutbox). */
(function (global) {
  'use strict';

  const PAGE_SIZE = 500;
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

  /* A card as GET /api/v1/book sends it (services/offline_book.py: BookCard), with
   * the health band beside it for the list. */
  function fromServer(card) {
    // What the offline card and list do not show stays on the server (room on the phone).
    const {owner_id: _owner, created_at: _created, updated_at: _updated, rhythm_days: _rhythm,
      effective_rhythm_days: _effective, health, ...kept} = card;
    return {
      ...kept,
      tags: Array.isArray(card.tags) ? card.tags : [],
      band: (health && health.band) || null,
      follow_ups: card.follow_ups || [],
      complaints: card.complaints || [],
      opportunities: card.opportunities || [],
      // [at, kind, direction, sentiment, author, summary]: 20 entries on 5,000 cards
      // without the keys repeated 100,000 times (see get()).
      timeline: (card.timeline || []).map((e) => [e.at, e.kind, e.direction, e.sentiment,
        e.author, e.summary]),
    };
  }

  function unpacked(contact) {
    if (!contact) return contact;
    const timeline = contact.timeline.map(([at, kind, direction, sentiment, author, summary]) => (
      {at, kind, direction, sentiment, author, summary}));
    return {...contact, timeline};
  }

  /* "<count>:<xor of the ids>", as crm_pwa/domain/book.py:digest writes it. */
  function digestOf(ids) {
    let folded = 0n;
    for (const id of ids) folded ^= BigInt(`0x${String(id).replace(/-/g, '')}`);
    return `${ids.length}:${folded.toString(16).padStart(32, '0')}`;
  }

  async function fingerprint(token) {
    const bytes = new TextEncoder().encode(token);
    const hash = await crypto.subtle.digest('SHA-256', bytes);
    return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function announce(count, book) {
    if (typeof document !== 'undefined') {
      const root = document.documentElement;
      root.dataset.bookCount = String(count);
      if (book && book.as_of) root.dataset.bookAsOf = book.as_of;
    }
    if (typeof window !== 'undefined') {
      window.dispatchEvent(new CustomEvent('crm-book-change', {detail: {count}}));
    }
  }

  /* When the book was last brought up to date: {as_of, time_zone}, or null. */
  async function freshness() {
    const book = await transact(['meta'], 'readonly',
      (tx) => promised(tx.objectStore('meta').get('book')));
    return book && book.as_of ? {as_of: book.as_of, time_zone: book.time_zone} : null;
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

  async function storeChanges(page) {
    const items = (page.items || []).map(fromServer);
    const gone = page.removed || [];
    return transact(['contacts'], 'readwrite', async (tx) => {
      const store = tx.objectStore('contacts');
      items.forEach((item) => store.put(item));
      const held = await Promise.all(gone.map((id) => promised(store.getKey(id))));
      gone.forEach((id) => store.delete(id));
      return held.filter((key) => key !== undefined).length;
    });
  }

  /* The digest of the last page differs from the book's: a contact was handed to
   * someone else (drop it) or to this rep without a change of its own (fetch all again). */
  async function reconcile(digest) {
    const ids = await transact(['contacts'], 'readonly',
      (tx) => promised(tx.objectStore('contacts').getAllKeys()));
    if (!digest || digestOf(ids) === digest) return {removed: 0, complete: true};
    const visible = new Set((await getJSON('/contacts/ids')).ids || []);
    const stale = ids.filter((id) => !visible.has(id));
    await transact(['contacts'], 'readwrite', (tx) => {
      const store = tx.objectStore('contacts');
      stale.forEach((id) => store.delete(id));
    });
    return {removed: stale.length, complete: ids.length - stale.length === visible.size};
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
      book = {owner, cursor: null, as_of: null, time_zone: null};
    }
    let updated = 0;
    let removed = 0;
    await fetchRules().catch(() => null);
    try {
      for (let passes = 0; passes < 2; passes += 1) {
        let page;
        do {
          const params = new URLSearchParams({limit: String(PAGE_SIZE)});
          if (book.cursor) params.set('cursor', book.cursor);
          page = await getJSON(`/book?${params}`);
          removed += await storeChanges(page);
          updated += (page.items || []).length;
          // Kept after every page: a download cut short goes on where it stopped.
          book = {...book, cursor: page.next_cursor};
          if (!page.more) book = {...book, as_of: page.as_of, time_zone: page.time_zone};
          await transact(['meta'], 'readwrite',
            (tx) => promised(tx.objectStore('meta').put(book, 'book')));
          cache = null;
        } while (page.more);
        const check = await reconcile(page.digest);
        removed += check.removed;
        if (check.complete) break;
        // A contact came to this rep unchanged: only a whole download brings it.
        book = {...book, cursor: null};
      }
      cache = null;
      announce(await count(), book);
      return {updated, removed, error: null};
    } catch (error) {
      cache = null;
      if (outbox().storageRefused(error)) {
        markStorageRefused();
        return {updated, removed, error: 'storage'};
      }
      const reason = error instanceof outbox().SignedOutError ? 'signed-out'
        : error.status ? `http-${error.status}` : 'network';
      return {updated, removed, error: reason};
    }
  }

  function markStorageRefused() {
    if (typeof document === 'undefined') return;
    document.documentElement.dataset.storage = 'refused';
    window.dispatchEvent(new Event('crm-storage-refused'));
  }

  /* Fetches the cards that changed since the last refresh (all of them the first
   * time) and drops the contacts that left the book. Single-flight. Resolves with
   * {updated, removed, error}; error is null, 'offline', 'signed-out', 'network',
   * 'storage' (the browser refused to store it) or 'http-<status>'. */
  function refresh() {
    if (!refreshing) {
      refreshing = runRefresh().catch((error) => {
        if (!outbox().storageRefused(error)) throw error;
        markStorageRefused();
        return {updated: 0, removed: 0, error: 'storage'};
      }).finally(() => { refreshing = null; });
    }
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

  /* One card, its timeline as a list of {at, kind, direction, sentiment, author, summary}. */
  async function get(id) {
    return unpacked(await transact(['contacts'], 'readonly',
      (tx) => promised(tx.objectStore('contacts').get(id))));
  }

  global.crmBook = {refresh, search, get, count, clear, freshness, digestOf};
})(typeof self !== 'undefined' ? self : globalThis);
