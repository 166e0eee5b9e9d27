/* Rapport offline panel. Reflex keeps page state on the server, so a page opened
 * with no signal renders without data. This script stands in for it: a search of
 * the contact book kept on the phone (crmBook), tap to call or mail, and a short
 * "log a note" form that writes into the outbox (crmOutbox), and it quiets
 * Reflex's own "cannot connect" signals while the phone is offline (the banner
 * says it; the rules are in offline.css). On a card route it draws the card from
 * the book instead (offline-card.js). Plain DOM code; load after outbox.js,
 * contactbook.js, pwa.js, dom.js and offline-card.js. It fills the empty container that
 * crm_pwa/components/offline_book.py renders. */
(function () {
  'use strict';

  const root = document.documentElement;
  const outbox = window.crmOutbox;
  const book = window.crmBook;
  const dom = window.crmDom;
  const cards = window.crmOfflineCard;
  if (!outbox || !book || !dom || !cards) return;
  const {h, attach} = dom;

  const RESULT_LIMIT = 20;
  const MAX_SUMMARY_CHARS = 10000;
  // The phone reports a network, but the page still waits for its data: after a
  // connection error that lasts this long, or after this long at all, the server
  // is out of reach (one bar of signal, a captive portal) and the book stands in.
  const SERVER_LOST_AFTER_MS = 4000;
  const SLOW_PAGE_MS = 8000;
  // Back online, Reflex needs a moment (its retry backoff tops out at 2 s) to
  // reconnect; its stale "cannot connect" signals stay quiet meanwhile.
  const RECONNECT_QUIET_MS = 10000;
  // How long "Saved on this phone" stays up once the signal is back.
  const CONFIRMATION_MS = 5000;
  const PANEL_HOST = '[data-offline-panel]';
  const PULSER = '[title^="Connection Error"]';

  const KINDS = [['meeting', 'Meeting'], ['call', 'Call'], ['email', 'Email'],
    ['message', 'Message'], ['visit', 'Visit'], ['note', 'Note']];
  const DIRECTIONS = [['outbound', 'We'], ['inbound', 'They']];
  const SENTIMENTS = [['positive', 'Positive'], ['neutral', 'Neutral'], ['negative', 'Negative']];
  const NEXT_STEPS = [['', 'No next step'], ['1', 'Tomorrow'], ['3', 'In 3 days'],
    ['7', 'Next week'], ['14', 'In 2 weeks']];
  const TIERS = {high: 'High touch', medium: 'Medium touch', low: 'Low touch'};

  function ymd(date) {
    const pad = (n) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  }

  /* The phone's calendar day plus `days`: the server is out of reach, so its "today" is too. */
  function dayFromToday(days) {
    const date = new Date();
    date.setDate(date.getDate() + days);
    return ymd(date);
  }

  function talked(iso) {
    if (!iso) return 'Not talked yet';
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return null;
    return `Last talked ${when.toLocaleDateString(undefined, {day: 'numeric', month: 'short'})}`;
  }

  function chipGroup(legend, name, options, checked) {
    return h('fieldset', {class: 'rp-chips'},
      h('legend', {text: legend}),
      h('div', {class: 'rp-chip-row'}, options.map(([value, label]) => h('label', {class: 'rp-chip'},
        h('input', {type: 'radio', name, value, checked: value === checked}),
        h('span', {text: label})))));
  }

  /* The note form for one contact. onSaved(message) runs once the note is in the outbox. */
  function noteForm(contact, onSaved, onCancel) {
    const error = h('p', {class: 'rp-error', role: 'alert', hidden: true});
    const heading = h('h3', {id: 'offline-note-title', tabindex: '-1', text: 'Log a note'});
    const save = h('button', {type: 'submit', class: 'rp-btn rp-primary', text: 'Save note'});
    const form = h('form', {class: 'rp-form', 'aria-labelledby': 'offline-note-title',
      novalidate: true, 'data-offline-note': contact.id},
    h('div', {}, heading, h('p', {class: 'rp-muted', text: contact.name})),
    chipGroup('Kind', 'kind', KINDS, 'meeting'),
    chipGroup('Who started it', 'direction', DIRECTIONS, 'outbound'),
    h('div', {class: 'rp-stack'},
      h('label', {class: 'rp-label', for: 'offline-note-summary', text: 'What happened'}),
      h('textarea', {id: 'offline-note-summary', name: 'summary', rows: 4, class: 'rp-field',
        placeholder: 'What was said, agreed, promised'})),
    chipGroup('How it went', 'sentiment', SENTIMENTS, 'neutral'),
    chipGroup('Next step', 'next_when', NEXT_STEPS, ''),
    h('div', {class: 'rp-stack'},
      h('label', {class: 'rp-label', for: 'offline-note-next', text: 'Next step title'}),
      h('input', {id: 'offline-note-next', name: 'next_title', class: 'rp-field',
        autocomplete: 'off', placeholder: 'e.g. Send the revised quote'})),
    error,
    h('div', {class: 'rp-actions'}, save,
      h('button', {type: 'button', class: 'rp-btn', text: 'Cancel', onclick: onCancel})));

    function fail(message, field) {
      error.textContent = message;
      error.hidden = false;
      if (field) form.elements[field].focus();
    }

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.hidden = true;
      const data = new FormData(form);
      const summary = String(data.get('summary') || '').trim();
      if (!summary) return fail('Write what happened.', 'summary');
      if (Array.from(summary).length > MAX_SUMMARY_CHARS) {
        return fail('What happened is over 10,000 characters: shorten it.', 'summary');
      }
      const when = String(data.get('next_when') || '');
      const title = String(data.get('next_title') || '').trim();
      if (!when && title) return fail('Say when the next step is due: tap one of the chips.');
      const kind = String(data.get('kind'));
      save.disabled = true;
      let id;
      try {
        id = await outbox.enqueueNote({
          contact_id: contact.id,
          kind,
          direction: String(data.get('direction')),
          summary,
          sentiment: String(data.get('sentiment')),
          follow_up: when ? {due_on: dayFromToday(Number(when)), title: title || 'Follow up'} : null,
        });
      } catch (problem) {
        return fail(problem.message, problem.field === 'summary' ? 'summary' : null);
      } finally {
        save.disabled = false;
      }
      const label = KINDS.find(([value]) => value === kind)[1].toLowerCase();
      return onSaved(`Saved on this phone — will sync: ${label} with ${contact.name}.`, id);
    });
    return {form, heading};
  }

  function contactCard(contact, openNote) {
    const company = [contact.company, contact.title].filter(Boolean).join(' · ');
    const facts = [TIERS[contact.tier] || contact.tier, talked(contact.last_interaction_at),
      contact.open_follow_ups ? `${contact.open_follow_ups} open follow-up`
        + (contact.open_follow_ups === 1 ? '' : 's') : null].filter(Boolean).join(' · ');
    const logButton = h('button', {type: 'button', class: 'rp-btn rp-primary',
      'aria-label': `Log a note for ${contact.name}`, text: 'Log a note'});
    logButton.addEventListener('click', () => openNote(contact, logButton));
    return h('li', {class: 'rp-card', 'data-offline-contact': contact.id},
      h('div', {class: 'rp-name', text: contact.name}),
      company ? h('div', {class: 'rp-meta', text: company}) : null,
      facts ? h('div', {class: 'rp-meta', text: facts}) : null,
      h('div', {class: 'rp-actions'},
        contact.phone ? h('a', {class: 'rp-btn', href: `tel:${contact.phone}`,
          'aria-label': `Call ${contact.name}`, text: 'Call'}) : null,
        contact.email ? h('a', {class: 'rp-btn', href: `mailto:${contact.email}`,
          'aria-label': `Mail ${contact.name}`, text: 'Mail'}) : null,
        logButton));
  }

  /* The search view and, while one is open, the note form that replaces it. */
  function buildPanel() {
    const input = h('input', {id: 'offline-search', type: 'search', class: 'rp-field',
      autocomplete: 'off', enterkeyhint: 'search', placeholder: 'Name, company, email, phone, tag'});
    const count = h('p', {class: 'rp-muted', role: 'status'});
    const list = h('ul', {class: 'rp-list', 'aria-label': 'Contacts found'});
    const saved = h('p', {class: 'rp-saved', role: 'status', hidden: true,
      'data-offline-saved': ''});
    const searchView = h('div', {class: 'rp-stack'},
      h('label', {class: 'rp-label', for: 'offline-search', text: 'Search contacts offline'}),
      input, count, list);
    const el = h('section', {class: 'rp-panel', 'aria-labelledby': 'offline-book-title',
      'data-offline-book': ''},
    h('h2', {id: 'offline-book-title', text: 'Contacts on this phone'}), saved, searchView);
    let note = null;
    let savedUntil = 0;
    let searches = 0;

    async function search() {
      const run = ++searches;
      const signedIn = Boolean(await outbox.token().catch(() => null));
      const [found, total] = signedIn
        ? await Promise.all([book.search(input.value, RESULT_LIMIT), book.count()])
        : [[], 0];
      if (run !== searches) return;
      input.disabled = !signedIn || total === 0;
      if (!signedIn) {
        count.textContent = 'Sign in while you have a signal to keep your contacts on this phone.';
      } else if (total === 0) {
        count.textContent = 'No contacts on this phone yet: open the app once with a signal.';
      } else if (!input.value.trim()) {
        const fresh = await book.freshness().catch(() => null);
        const stamp = fresh && cards.asOf(fresh.as_of, fresh.time_zone);
        count.textContent = `${total} contacts on this phone${stamp ? ` as of ${stamp}` : ''}`
          + (total > found.length ? `; the first ${found.length} by name:` : ':');
      } else if (!found.length) {
        count.textContent = 'No contact matches.';
      } else {
        count.textContent = `${found.length} ${found.length === 1 ? 'contact' : 'contacts'} found`
          + (found.length === RESULT_LIMIT ? ': type more to narrow it down.' : '');
      }
      list.replaceChildren(...found.map((contact) => contactCard(contact, openNote)));
    }

    function closeNote(focusAfter) {
      note.form.remove();
      note = null;
      searchView.hidden = false;
      if (focusAfter && focusAfter.isConnected) focusAfter.focus();
      update();
    }

    function openNote(contact, opener) {
      if (note) note.form.remove();
      saved.hidden = true;
      note = noteForm(contact, (message, id) => {
        saved.textContent = message;
        saved.hidden = false;
        // outbox-list.js takes the message down once the note is on the server.
        saved.dataset.outboxItem = id;
        savedUntil = Date.now() + CONFIRMATION_MS;
        setTimeout(update, CONFIRMATION_MS + 1);
        closeNote(opener);
        search().catch(() => {});
      }, () => closeNote(opener));
      searchView.hidden = true;
      el.append(note.form);
      note.heading.focus();
    }

    input.addEventListener('input', () => { search().catch(() => {}); });
    search().catch(() => {});
    // True while the rep writes a note or reads that it was saved.
    const busy = () => note !== null || Date.now() < savedUntil;
    return {el, search, busy, key: 'list'};
  }

  /* A card route (/contacts/{id}, its Edit page) with no signal: the card from the
   * book, "not on this phone", or "editing needs a signal", and the note form
   * behind "Log a meeting". */
  function buildCardPanel(place) {
    const saved = h('p', {class: 'rp-saved', role: 'status', hidden: true,
      'data-offline-saved': ''});
    const view = h('div', {class: 'rp-stack'});
    const el = h('div', {class: 'rp-panel rp-card-host', 'data-offline-book': ''}, saved, view);
    let note = null;
    let savedUntil = 0;
    let draws = 0;

    async function draw() {
      const run = ++draws;
      const signedIn = Boolean(await outbox.token().catch(() => null));
      const contact = signedIn ? await book.get(place.id).catch(() => undefined) : undefined;
      const fresh = await book.freshness().catch(() => null);
      if (run !== draws) return;
      let shown;
      if (place.edit) shown = cards.editNeedsSignal(contact);
      else if (!contact) shown = cards.notInBook();
      else shown = cards.card(contact, fresh, openNote);
      view.replaceChildren(shown);
    }

    function closeNote(focusAfter) {
      note.form.remove();
      note = null;
      view.hidden = false;
      if (focusAfter && focusAfter.isConnected) focusAfter.focus();
      update();
    }

    function openNote(contact, opener) {
      if (note) note.form.remove();
      saved.hidden = true;
      note = noteForm(contact, (message, id) => {
        saved.textContent = message;
        saved.hidden = false;
        // outbox-list.js takes the message down once the note is on the server.
        saved.dataset.outboxItem = id;
        savedUntil = Date.now() + CONFIRMATION_MS;
        setTimeout(update, CONFIRMATION_MS + 1);
        closeNote(opener);
      }, () => closeNote(opener));
      view.hidden = true;
      el.append(note.form);
      note.heading.focus();
    }

    draw().catch(() => {});
    const busy = () => note !== null || Date.now() < savedUntil;
    return {el, search: draw, busy, key: `card ${location.pathname}`};
  }

  /* The page shows what the server sent (not a spinner waiting for it). */
  function liveContent() {
    return document.querySelector('[data-shell-loading], [data-card-loading]') === null;
  }

  let panel = null;
  let errorSince = null;
  let loadingSince = null;
  let quietUntil = 0;

  function connectionError() {
    const pulser = document.querySelector(PULSER);
    return Boolean(pulser) && pulser.title.replace(/^Connection Error:\s*/, '') !== '';
  }

  function serverLost(now) {
    if (document.querySelector('[data-shell-loading]') === null) {
      loadingSince = null;
      errorSince = null;
      return false;
    }
    if (loadingSince === null) loadingSince = now;
    if (!connectionError()) errorSince = null;
    else if (errorSince === null) errorSince = now;
    return now - loadingSince >= SLOW_PAGE_MS
      || (errorSince !== null && now - errorSince >= SERVER_LOST_AFTER_MS);
  }

  /* Sets or (with null) removes a data attribute of <html>, writing only on change. */
  function setFlag(name, value) {
    if (value === null) {
      if (name in root.dataset) delete root.dataset[name];
    } else if (root.dataset[name] !== value) {
      root.dataset[name] = value;
    }
  }

  /* Nothing polls: update() runs on the events that change its answer (a page drawn,
   * the signal lost or back, the connection pulser's message) and once more when the
   * next of its clocks runs out. */
  let timer = null;
  function wakeAt(now) {
    const deadlines = [quietUntil];
    if (loadingSince !== null) deadlines.push(loadingSince + SLOW_PAGE_MS);
    if (errorSince !== null) deadlines.push(errorSince + SERVER_LOST_AFTER_MS);
    const next = Math.min(...deadlines.filter((when) => when > now));
    clearTimeout(timer);
    if (Number.isFinite(next)) timer = setTimeout(update, next - now + 1);
  }

  // Reflex's connection pulser: its title carries the connection error, if any.
  let pulser = null;
  const pulserWatch = new MutationObserver(() => update());
  function watchPulser() {
    const current = document.querySelector(PULSER);
    if (current === pulser) return;
    pulserWatch.disconnect();
    pulser = current;
    if (pulser) pulserWatch.observe(pulser, {attributes: true, attributeFilter: ['title']});
  }

  function update() {
    const now = Date.now();
    watchPulser();
    const offline = navigator.onLine === false;
    setFlag('reconnecting', !offline && now < quietUntil && connectionError() ? 'true' : null);
    const lost = serverLost(now);
    const place = cards.route(location.pathname);
    const key = place ? `card ${location.pathname}` : 'list';
    if (panel && panel.key !== key && !panel.busy()) {
      panel.el.remove();
      panel = null;
    }
    // A note being written stays on screen even when the signal comes back; a card
    // the server sent stays where it is when the signal drops.
    const busy = Boolean(panel && panel.busy());
    const show = busy || ((offline || lost) && !(place && liveContent()));
    setFlag('bookPanel', show ? (place ? 'card' : 'open') : null);
    if (show && !panel) panel = place ? buildCardPanel(place) : buildPanel();
    if (!show && panel) {
      panel.el.remove();
      panel = null;
    }
    if (panel) attach(panel.el, PANEL_HOST);
    wakeAt(now);
  }

  window.addEventListener('crm-book-change', () => {
    if (panel) panel.search().catch(() => {});
  });
  window.addEventListener('online', () => {
    quietUntil = Date.now() + RECONNECT_QUIET_MS;
    update();
  });
  window.addEventListener('offline', update);
  // React drew a page, or a page's data replaced its placeholder (page_signal.py).
  window.addEventListener('crm-page', update);
  update();
})();
