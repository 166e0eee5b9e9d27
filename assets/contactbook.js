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

  /* Lower case without accents, so "jose" finds "José" (the server folds the same way). */
  // The same folding as crm_pwa/domain/search.py: accents off, letters Unicode does
  // not decompose spelled out, apostrophes dropped so "O'Brien" is one word.
  const UNDECOMPOSED = {'ø': 'o', 'ł': 'l', 'đ': 'd', 'ħ': 'h', 'ı': 'i', 'ß': 'ss', 'æ': 'ae',
    'œ': 'oe', 'þ': 'th', "'": '', '’': ''};

  function fold(text) {
    return String(text || '').toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '')
      .replace(/[øłđħıßæœþ'’]/g, (ch) => UNDECOMPOSED[ch]);
  }

  function words(text) {
    return fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  function digits(text) {
    return String(text || '').replace(/\D/g, '');
  }

  function fromServer(contact) {
    return {
      id: contact.id,
      name: contact.name || '',
      company: contact.company || null,
      title: contact.title || null,
      phone: contact.phone || null,
      phone_digits: contact.phone_digits || digits(contact.phone),
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

  async function all() {
    if (!cache) {
      const contacts = await transact(['contacts'], 'readonly',
        (tx) => promised(tx.objectStore('contacts').getAll()));
      cache = contacts.map((contact) => ({
        contact,
        nameWords: words(contact.name),
        otherWords: [contact.company, contact.email, ...contact.tags].flatMap(words),
      }));
    }
    return cache;
  }

  const byName = (a, b) => a.contact.name.localeCompare(b.contact.name, undefined,
    {sensitivity: 'base'});

  /* Rank of a contact for the query, lower is better, null when it does not match:
   * 0 the name starts with the first query word (and every query word starts a word
   * of the name), 1 every query word starts a word of the name, 2 every query word
   * starts a word of the name, company, email or tags, 3 the query's digits (3 or
   * more) occur in the phone number. */
  function rank(entry, queryWords, queryDigits) {
    const startsAny = (list) => (word) => list.some((w) => w.startsWith(word));
    if (queryWords.length && queryWords.every(startsAny(entry.nameWords))) {
      return entry.nameWords[0] && entry.nameWords[0].startsWith(queryWords[0]) ? 0 : 1;
    }
    const everyWord = [...entry.nameWords, ...entry.otherWords];
    if (queryWords.length && queryWords.every(startsAny(everyWord))) return 2;
    if (queryDigits.length >= 3 && entry.contact.phone_digits.includes(queryDigits)) return 3;
    return null;
  }

  /* Best match first, then by name; an empty query lists the book by name. */
  async function search(query, limit = 20) {
    const entries = await all();
    const queryWords = words(query);
    const queryDigits = digits(query);
    if (!queryWords.length) {
      return entries.slice().sort(byName).slice(0, limit).map((e) => e.contact);
    }
    return entries
      .map((entry) => ({entry, rank: rank(entry, queryWords, queryDigits)}))
      .filter((hit) => hit.rank !== null)
      .sort((a, b) => a.rank - b.rank || byName(a.entry, b.entry))
      .slice(0, limit)
      .map((hit) => hit.entry.contact);
  }

  async function get(id) {
    return transact(['contacts'], 'readonly', (tx) => promised(tx.objectStore('contacts').get(id)));
  }

  global.crmBook = {refresh, search, get, count, clear};
})(typeof self !== 'undefined' ? self : globalThis);
