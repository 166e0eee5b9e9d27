/* The contact card drawn from the offline book (contactbook.js) when /contacts/{id}
 * opens with no signal: name, "Remember" (connection notes), Call, Mail, Map,
 * Log a meeting (into the outbox, through offline.js), open follow-ups, complaints
 * and opportunities, the latest timeline entries and the details, marked
 * "Offline — as of 10:42" in the rep's zone. Editing needs a signal (see
 * docs/offline.md). Plain DOM code: window.crmOfflineCard; load after dom.js. */
(function () {
  'use strict';

  const dom = window.crmDom;
  if (!dom) return;
  const {h} = dom;

  // The same search link the live card builds (components/contact_header.py).
  const MAPS_SEARCH = 'https://www.google.com/maps/search/?api=1&query=';
  const KINDS = {meeting: 'Meeting', call: 'Call', email: 'Email', message: 'Message',
    visit: 'Visit', note: 'Note'};
  const TIERS = {high: 'High touch', medium: 'Medium touch', low: 'Low touch'};
  const STAGES = {lead: 'Lead', qualified: 'Qualified', proposal: 'Proposal'};
  const CARD_ROUTE = /^\/contacts\/([0-9a-fA-F-]{36})(\/edit)?\/?$/;

  /* {id, edit} of a card route (/contacts/{id} or its Edit page), else null. */
  function route(pathname) {
    const found = CARD_ROUTE.exec(pathname);
    return found ? {id: found[1].toLowerCase(), edit: Boolean(found[2])} : null;
  }

  function zoned(options, zone) {
    try {
      return new Intl.DateTimeFormat(undefined, {...options, timeZone: zone || undefined});
    } catch (_) {
      // A zone this browser does not know: the phone's own.
      return new Intl.DateTimeFormat(undefined, options);
    }
  }

  /* "10:42" today, "28 Nov, 10:42" before, in the rep's zone. */
  function asOf(iso, zone) {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return null;
    const day = zoned({year: 'numeric', month: 'short', day: 'numeric'}, zone);
    const time = zoned({hour: '2-digit', minute: '2-digit'}, zone).format(when);
    return day.format(when) === day.format(new Date())
      ? time : `${zoned({day: 'numeric', month: 'short'}, zone).format(when)}, ${time}`;
  }

  function dayLabel(iso, zone) {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return '';
    return zoned({day: 'numeric', month: 'short', year: 'numeric'}, zone).format(when);
  }

  /* A calendar date (YYYY-MM-DD) as written, without a zone shifting it. */
  function dateLabel(ymd) {
    if (!ymd) return '';
    const when = new Date(`${ymd}T12:00:00Z`);
    return zoned({day: 'numeric', month: 'short', year: 'numeric'}, 'UTC').format(when);
  }

  function section(title, id, ...body) {
    return h('section', {class: 'rp-stack', 'aria-labelledby': id},
      h('h2', {id, text: title}), ...body);
  }

  function items(label, entries, render, empty) {
    if (!entries.length) return h('p', {class: 'rp-muted', text: empty});
    return h('ul', {class: 'rp-list', 'aria-label': label}, entries.map(render));
  }

  function reach(label, href, missing, name) {
    return href
      ? h('a', {class: 'rp-btn', href, 'aria-label': `${label} ${name}`, text: label,
        ...(label === 'Map' ? {target: '_blank', rel: 'noopener'} : {})})
      : h('span', {class: 'rp-btn rp-absent', text: missing});
  }

  function timelineEntry(entry, zone) {
    // Events (what came of a note: a complaint, a stage) have no direction.
    const note = Boolean(entry.direction);
    const heading = note
      ? `${KINDS[entry.kind] || entry.kind} · ${entry.direction === 'inbound'
        ? 'they started' : 'we started'}`
      : entry.summary;
    return h('li', {class: 'rp-entry', 'data-offline-entry': ''},
      h('div', {class: 'rp-name', text: heading}),
      h('div', {class: 'rp-meta', text: `${dayLabel(entry.at, zone)} · ${entry.author}`}),
      note ? h('p', {class: 'rp-text', text: entry.summary}) : null);
  }

  /* The card of `contact` (a book entry); `fresh` is crmBook.freshness();
   * logMeeting(contact, button) opens the note form. */
  function card(contact, fresh, logMeeting) {
    const zone = fresh && fresh.time_zone;
    const stamp = fresh && asOf(fresh.as_of, zone);
    const company = [contact.title, contact.company].filter(Boolean).join(' · ');
    const log = h('button', {type: 'button', class: 'rp-btn rp-primary',
      'aria-label': `Log a meeting with ${contact.name}`, text: 'Log a meeting'});
    log.addEventListener('click', () => logMeeting(contact, log));
    const details = [['Phone', contact.phone], ['Email', contact.email],
      ['Address', contact.address], ['Tier', TIERS[contact.tier] || contact.tier],
      ['Tags', (contact.tags || []).join(', ')]].filter(([, value]) => value);
    return h('article', {class: 'rp-stack', 'aria-labelledby': 'offline-card-name',
      'data-offline-card': contact.id},
    h('h1', {id: 'offline-card-name', class: 'rp-title', text: contact.name}),
    company ? h('p', {class: 'rp-meta', text: company}) : null,
    h('p', {class: 'rp-mark', role: 'status', 'data-offline-mark': '',
      text: stamp ? `Offline — as of ${stamp}` : 'Offline'}),
    contact.do_not_contact
      ? h('p', {class: 'rp-error', text: 'Do not contact: this person asked not to be contacted.'})
      : null,
    section('Remember', 'offline-remember',
      h('p', {class: 'rp-text', 'data-offline-remember': '',
        text: contact.connection_notes || 'Nothing noted yet.'})),
    h('div', {class: 'rp-actions'},
      reach('Call', contact.phone ? `tel:${contact.phone}` : '', 'No phone', contact.name),
      reach('Mail', contact.email ? `mailto:${contact.email}` : '', 'No email', contact.name),
      reach('Map', contact.address ? MAPS_SEARCH + encodeURIComponent(contact.address) : '',
        'No address', contact.name),
      log),
    section('Follow-ups', 'offline-follow-ups', items('Open follow-ups', contact.follow_ups,
      (item) => h('li', {class: 'rp-card', 'data-offline-follow-up': item.id},
        h('div', {class: 'rp-name', text: item.title}),
        h('div', {class: 'rp-meta', text: item.status === 'snoozed' && item.snooze_until
          ? `Snoozed until ${dateLabel(item.snooze_until)}` : `Due ${dateLabel(item.due_on)}`})),
      'No open follow-ups.')),
    contact.complaints.length ? section('Open complaints', 'offline-complaints',
      items('Open complaints', contact.complaints, (item) => h('li', {class: 'rp-card'},
        h('div', {class: 'rp-text', text: item.summary}),
        h('div', {class: 'rp-meta', text: `Opened ${dayLabel(item.opened_at, zone)}`})))) : null,
    contact.opportunities.length ? section('Open opportunities', 'offline-opportunities',
      items('Open opportunities', contact.opportunities, (item) => h('li', {class: 'rp-card'},
        h('div', {class: 'rp-name', text: item.title}),
        h('div', {class: 'rp-meta', text: [STAGES[item.stage] || item.stage, item.amount,
          item.expected_close ? `closes ${dateLabel(item.expected_close)}` : null]
          .filter(Boolean).join(' · ')})))) : null,
    section('Timeline', 'offline-timeline',
      contact.timeline.length
        ? h('ol', {class: 'rp-list', 'aria-label': 'Timeline, newest first'},
          contact.timeline.map((entry) => timelineEntry(entry, zone)))
        : h('p', {class: 'rp-muted', text: 'Nothing logged yet.'}),
      contact.timeline.length >= 20
        ? h('p', {class: 'rp-muted', text: 'The latest 20 entries; the rest with a signal.'})
        : null),
    details.length ? section('Details', 'offline-details', h('dl', {class: 'rp-details'},
      details.flatMap(([label, value]) => [h('dt', {text: label}), h('dd', {text: value})])))
      : null,
    h('p', {class: 'rp-muted', 'data-offline-edit': '',
      text: 'Editing details needs a signal; notes you log here are sent when you are back.'}));
  }

  /* What a card route says when the book cannot stand in for the page. */
  function notice(title, text) {
    return h('section', {class: 'rp-stack', 'aria-labelledby': 'offline-card-name',
      'data-offline-card': ''},
    h('h1', {id: 'offline-card-name', class: 'rp-title', text: title}),
    h('p', {class: 'rp-mark', role: 'status', 'data-offline-mark': '', text}),
    h('a', {class: 'rp-btn', href: '/contacts', text: 'Search contacts on this phone'}));
  }

  function notInBook() {
    return notice('Not on this phone',
      'Offline: this contact is not on this phone, so it cannot be shown until you have a '
      + 'signal. It may be new, or no longer one of yours.');
  }

  function editNeedsSignal(contact) {
    return notice(contact ? `Edit ${contact.name}` : 'Edit contact',
      'Editing a contact needs a signal: the server checks every change (duplicates, who may '
      + 'see it), so nothing is changed offline. Notes and follow-ups work offline.');
  }

  window.crmOfflineCard = {route, card, notInBook, editNeedsSignal, asOf};
})();
