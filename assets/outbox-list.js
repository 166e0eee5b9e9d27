/* "Waiting to sync": the outbox items themselves, on every signed-in page, each
 * with its state. An item the server refused (or failed on, or holds in another
 * version) can be opened, corrected and sent again, or discarded after a
 * confirmation, so nothing the rep typed goes without their say. Messages that
 * promise a later sync ("Saved on this phone…") carry the item's id in
 * data-outbox-item and are taken down here once that item has reached the
 * server. Plain DOM code; load after outbox.js, outbox-sync.js and dom.js. It
 * fills the empty container crm_pwa/components/offline_book.py renders. */
(function () {
  'use strict';

  const outbox = window.crmOutbox;
  const book = window.crmBook;
  const dom = window.crmDom;
  if (!outbox || !dom) return;
  const {h, clip, attach, today} = dom;

  const HOST = '[data-outbox-list]';
  const RELOAD_BUTTON = 'card-reload';
  const ACTIONABLE = new Set(['rejected', 'stuck', 'conflict']);
  const WHAT = {interaction: 'this note', next_step: 'this next step',
    follow_up_update: 'this follow-up change'};

  const rows = new Map();
  const list = h('ul', {class: 'rp-list', 'aria-label': 'Items waiting to sync'});
  const box = h('section', {class: 'rp-outbox', 'aria-labelledby': 'outbox-list-title',
    'data-waiting-list': '', hidden: true},
  h('h2', {id: 'outbox-list-title', text: 'Waiting to sync'}),
  h('p', {class: 'rp-muted', text: 'Kept on this phone until the server has them.'}),
  list);

  function time(iso) {
    return new Date(iso).toLocaleTimeString(undefined, {hour: '2-digit', minute: '2-digit'});
  }

  function stateText(item) {
    if (item.state === 'waiting') {
      return navigator.onLine === false ? 'Waiting for a signal.' : 'Waiting to be sent.';
    }
    if (item.state === 'stuck') return `${item.error} Next try at ${time(item.retry_at)}.`;
    if (item.state === 'conflict') {
      return `Not sent: ${item.error} Your copy is kept on this phone: send it as a new `
        + 'note, or discard it.';
    }
    return `Not sent: ${item.error}`;
  }

  async function title(item) {
    const contact = item.contact_id && book
      ? await book.get(item.contact_id).catch(() => null) : null;
    const whom = contact ? ` for ${contact.name}` : '';
    if (item.kind === 'interaction') return `Note${whom}: ${clip(item.summary, 120)}`;
    if (item.kind === 'next_step') return `${item.summary}${whom ? ` (${whom.trim()})` : ''}`;
    return item.summary;
  }

  function field(label, control) {
    return h('label', {class: 'rp-stack'}, h('span', {class: 'rp-label', text: label}), control);
  }

  /* A datetime-local value (the phone's wall clock) for an ISO time, and back. */
  function localInput(iso) {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime()) || when.getFullYear() < 1900) return '';
    return new Date(when.getTime() - when.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }

  /* The correction form of one item; resolves the rep's changes into outbox.correct. */
  async function editor(item, close) {
    const record = await outbox.transact(['outbox'], 'readonly',
      (tx) => outbox.promised(tx.objectStore('outbox').get(item.id)));
    if (!record) return null;
    const data = record.item;
    const error = h('p', {class: 'rp-error', role: 'alert', hidden: true});
    const controls = {};
    const fields = [];
    if (item.kind === 'interaction') {
      controls.summary = h('textarea', {class: 'rp-field', rows: 4, name: 'summary'});
      controls.summary.value = data.summary;
      controls.occurred = h('input', {class: 'rp-field', type: 'datetime-local', name: 'occurred_at',
        value: localInput(data.occurred_at), max: localInput(new Date().toISOString())});
      fields.push(field('What happened', controls.summary), field('When', controls.occurred));
    }
    if (item.kind === 'interaction' || item.kind === 'next_step') {
      const step = item.kind === 'next_step' ? data : (data.follow_up || {});
      controls.title = h('input', {class: 'rp-field', name: 'next_title', autocomplete: 'off',
        value: step.title || ''});
      controls.due = h('input', {class: 'rp-field', type: 'date', name: 'next_date',
        min: today(), value: step.due_on && step.due_on >= today() ? step.due_on : ''});
      fields.push(field('Next step', controls.title), field('Date of the next step', controls.due));
    }
    const form = h('form', {class: 'rp-form', novalidate: true, 'aria-label': `Correct ${WHAT[item.kind]}`},
      ...fields, error,
      h('div', {class: 'rp-actions'},
        h('button', {type: 'submit', class: 'rp-btn rp-primary', text: 'Save and send'}),
        h('button', {type: 'button', class: 'rp-btn', text: 'Close', onclick: close})));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.hidden = true;
      const changes = {};
      const due = controls.due ? controls.due.value : '';
      const stepTitle = controls.title ? controls.title.value.trim() : '';
      if (due && due < today()) {
        error.textContent = 'The next step cannot be in the past: pick today or a later day.';
        error.hidden = false;
        return;
      }
      if (item.kind === 'interaction') {
        changes.summary = controls.summary.value.trim();
        const when = new Date(controls.occurred.value);
        changes.occurred_at = Number.isNaN(when.getTime()) ? '' : when.toISOString();
        changes.follow_up = due || stepTitle
          ? {...(data.follow_up || {}), title: stepTitle || 'Follow up', due_on: due} : null;
      } else {
        Object.assign(changes, {title: stepTitle, due_on: due});
      }
      try {
        await outbox.correct(item.id, changes);
      } catch (problem) {
        error.textContent = problem.message;
        error.hidden = false;
      }
    });
    return form;
  }

  /* Discard asks first: what the rep wrote is gone for good once discarded. */
  function confirmDiscard(item, actions, discardButton) {
    const question = h('div', {class: 'rp-confirm', role: 'group', 'aria-label': 'Confirm discard'},
      h('p', {class: 'rp-reason', text: `Discard ${WHAT[item.kind]}? What you wrote will be lost.`}),
      h('div', {class: 'rp-actions'},
        h('button', {type: 'button', class: 'rp-btn rp-danger', text: 'Yes, discard',
          onclick: () => { outbox.discard(item.id).catch(() => {}); }}),
        h('button', {type: 'button', class: 'rp-btn', text: 'Keep it', onclick: () => {
          question.replaceWith(actions);
          discardButton.focus();
        }})));
    actions.replaceWith(question);
    question.querySelector('button').focus();
  }

  // A row is drawn again when any of these change ("waiting" reads differently offline).
  function rowKey(item) {
    return JSON.stringify([item.state, item.error, item.summary, navigator.onLine]);
  }

  async function buildRow(item) {
    const what = await title(item);
    const row = {key: rowKey(item), editing: false};
    const actions = h('div', {class: 'rp-actions'});
    const slot = h('div', {});
    row.el = h('li', {class: 'rp-card', 'data-outbox-row': item.id, 'data-state': item.state},
      h('div', {class: 'rp-name', text: what}),
      h('p', {class: ACTIONABLE.has(item.state) ? 'rp-reason' : 'rp-muted', text: stateText(item)}),
      actions, slot);
    if (!ACTIONABLE.has(item.state)) return row;
    const label = clip(what, 60);
    const open = h('button', {type: 'button', class: 'rp-btn rp-primary', text: 'Open',
      'aria-expanded': 'false', 'aria-label': `Open: ${label}`});
    open.addEventListener('click', async () => {
      if (row.editing) return;
      const close = () => {
        row.editing = false;
        slot.replaceChildren();
        open.setAttribute('aria-expanded', 'false');
        open.focus();
      };
      const form = await editor(item, close);
      if (!form) return;
      row.editing = true;
      open.setAttribute('aria-expanded', 'true');
      slot.replaceChildren(form);
      form.querySelector('input, textarea').focus();
    });
    if (item.kind !== 'follow_up_update') actions.append(open);
    actions.append(item.state === 'conflict'
      ? h('button', {type: 'button', class: 'rp-btn', text: 'Send as a new note',
        'aria-label': `Send as a new note: ${label}`,
        onclick: () => { outbox.sendAsNew(item.id).catch(() => {}); }})
      : h('button', {type: 'button', class: 'rp-btn', text: 'Send again',
        'aria-label': `Send again: ${label}`,
        onclick: () => { outbox.retry(item.id).catch(() => {}); }}));
    const discard = h('button', {type: 'button', class: 'rp-btn', text: 'Discard',
      'aria-label': `Discard: ${label}`});
    discard.addEventListener('click', () => confirmDiscard(item, actions, discard));
    actions.append(discard);
    return row;
  }

  /* Takes down "saved on this phone" messages of items that left the outbox, and
   * has the page read itself back when any did (the reload button sends one
   * server event, so only while online). */
  let known = new Set();
  function clearDelivered(ids) {
    document.querySelectorAll('[data-outbox-item]').forEach((el) => {
      if (ids.has(el.dataset.outboxItem)) return;
      delete el.dataset.outboxItem;
      el.textContent = '';
    });
    const left = [...known].some((id) => !ids.has(id));
    known = ids;
    const reload = document.getElementById(RELOAD_BUTTON);
    if (left && reload && navigator.onLine) reload.click();
  }

  let drawing = Promise.resolve();

  async function draw(items) {
    const ids = new Set(items.map((item) => item.id));
    for (const [id, row] of rows) {
      if (!ids.has(id)) { row.el.remove(); rows.delete(id); }
    }
    let previous = null;
    for (const item of items) {
      let row = rows.get(item.id);
      const key = rowKey(item);
      // An open correction form is left alone: a flush must not wipe what is being typed.
      if (!row || (row.key !== key && !row.editing)) {
        const fresh = await buildRow(item);
        if (row) row.el.replaceWith(fresh.el);
        rows.set(item.id, fresh);
        row = fresh;
      }
      if (previous) previous.after(row.el); else list.prepend(row.el);
      previous = row.el;
    }
    box.hidden = items.length === 0;
    clearDelivered(ids);
  }

  function show(items) {
    drawing = drawing.then(() => draw(items)).catch(() => {});
  }

  let shown = [];
  window.addEventListener('crm-outbox-change', (event) => {
    shown = event.detail.items || [];
    show(shown);
  });
  window.addEventListener('online', () => show(shown));
  window.addEventListener('offline', () => show(shown));
  // Into the page's container once React drew it (crm_pwa/components/page_signal.py).
  const place = () => attach(box, HOST);
  window.addEventListener('crm-page', place);
  place();
  outbox.status().then((current) => { shown = current.items; show(shown); }).catch(() => {});
})();
