/* Cases for assets/outbox.js, run against the fake /api/v1/sync. */
'use strict';

test('enqueue_writes_indexeddb_before_any_request_when_online', async () => {
  const seenByRequests = [];
  const realFetch = window.fetch;
  window.fetch = async (...args) => {
    seenByRequests.push((await rawStore('outbox')).map((r) => r.id));
    return realFetch(...args);
  };
  try {
    const id = await crmOutbox.enqueueNote(note());
    await crmOutbox.flush();
    assert(seenByRequests.length >= 1, 'the note was sent');
    assert(seenByRequests[0].includes(id), 'the note was in IndexedDB when the first request left');
  } finally {
    window.fetch = realFetch;
  }
  const state = await fake.state();
  assertEqual(Object.keys(state.notes).length, 1, 'notes on the server');
  assertEqual((await crmOutbox.status()).waiting, 0, 'waiting after the ack');
});

test('enqueue_fills_ids_when_note_and_follow_up_have_none', async () => {
  signOut();
  const id = await crmOutbox.enqueueNote(note({follow_up: {due_on: '2026-12-01', title: 'Send the quote'}}));
  const [record] = await rawStore('outbox');
  assertEqual(record.id, id, 'the returned id is the stored one');
  assert(/^[0-9a-f-]{36}$/.test(id), 'a UUID was made on the phone');
  assert(/^[0-9a-f-]{36}$/.test(record.item.follow_up.id), 'the follow-up got a UUID too');
  assert(record.item.occurred_at, 'the time of the meeting defaults to now');
  signIn('test-token');
  await crmOutbox.flush();
  const state = await fake.state();
  assertEqual(state.notes[id].follow_up.id, record.item.follow_up.id, 'the follow-up reached the server');
});

test('note_is_refused_before_storage_when_summary_exceeds_10000_characters', async () => {
  await assertRejects(crmOutbox.enqueueNote(note({summary: 'x'.repeat(10001)})),
    (error) => assertEqual(error.field, 'summary', 'the field at fault'), 'too long');
  await assertRejects(crmOutbox.enqueueNote(note({contact_id: ''})),
    (error) => assertEqual(error.field, 'contact_id', 'the field at fault'), 'no contact');
  assertEqual((await rawStore('outbox')).length, 0, 'nothing stored');
  // Characters, not UTF-16 units, as the server counts them: 10,000 emoji fit.
  signOut();
  await crmOutbox.enqueueNote(note({summary: '\u{1F91D}'.repeat(10000)}));
  assertEqual((await rawStore('outbox')).length, 1, 'the longest allowed note is stored');
});

test('flush_sends_one_request_when_called_twice_concurrently', async () => {
  signOut();
  await crmOutbox.enqueueNote(note());
  await crmOutbox.enqueueNote(note({summary: 'Second visit'}));
  assertEqual((await crmOutbox.flush()).error, 'signed-out', 'no token, no request');
  signIn('test-token');
  const first = crmOutbox.flush();
  const second = crmOutbox.flush();
  assert(first === second, 'the second call returns the running flush');
  const report = await first;
  assertEqual([report.sent, report.acked, report.error], [2, 2, null], 'flush report');
  const state = await fake.state();
  assertEqual(state.sync_requests, 1, 'requests to /sync');
  assertEqual((await crmOutbox.status()).waiting, 0, 'waiting');
});

test('lost_ack_is_resent_and_stored_once_when_connection_drops_after_commit', async () => {
  signOut();
  const ids = [await crmOutbox.enqueueNote(note()), await crmOutbox.enqueueNote(note({summary: 'Call'}))];
  await crmOutbox.flush();
  signIn('test-token');
  await fake.script(['lost-ack']);
  const lost = await crmOutbox.flush();
  assertEqual(lost.error, 'network', 'the answer never arrived');
  assertEqual((await crmOutbox.status()).waiting, 2, 'both notes stay in the outbox');
  assertEqual(Object.keys((await fake.state()).notes).sort(), ids.slice().sort(), 'committed anyway');
  const again = await crmOutbox.flush();
  assertEqual([again.acked, again.error], [2, null], 'the resend is acknowledged');
  const state = await fake.state();
  assertEqual(Object.keys(state.notes).length, 2, 'each note held once');
  assertEqual(ids.map((id) => state.received[id]), [2, 2], 'each note was sent twice');
  assertEqual((await crmOutbox.status()).waiting, 0, 'outbox empty');
});

test('items_stay_unblamed_when_the_server_keeps_failing_or_the_token_is_refused', async () => {
  signOut();
  await crmOutbox.enqueueNote(note());
  await crmOutbox.enqueueNote(note({summary: 'Second visit'}));
  await crmOutbox.flush();
  signIn('test-token');
  await fake.script(Array(6).fill('http-500'));
  const report = await crmOutbox.flush();
  assertEqual([report.error, report.stuck], ['http-500', 0], 'the server is down: nothing blamed');
  assertEqual((await crmOutbox.status()).items.map((i) => i.state), ['waiting', 'waiting'],
    'both kept, waiting');
  assert((await fake.state()).sync_requests <= 6, 'it stopped after at most six failures');
  assert(report.retryAt > Date.now(), 'and tries again later');
  await fake.reset();
  signIn('revoked-token');
  assertEqual((await crmOutbox.flush()).error, 'unauthorized', 'a 401');
  assertEqual((await crmOutbox.status()).waiting, 2, 'kept after a 401');
  signIn('test-token');
  assertEqual((await crmOutbox.flush()).acked, 2, 'sent once the server is well');
});

test('good_items_arrive_and_the_bad_one_is_stuck_when_one_item_makes_the_server_fail', async () => {
  signOut();
  const bad = await crmOutbox.enqueueNote(note({summary: 'Dated year 1',
    occurred_at: '0001-01-01T00:00:00+00:00'}));
  const good = [];
  for (const summary of ['One', 'Two', 'Three']) good.push(await crmOutbox.enqueueNote(note({summary})));
  await fake.poison({[bad]: 500});
  signIn('test-token');
  const started = Date.now();
  const report = await crmOutbox.flush();
  assertEqual([report.acked, report.stuck, report.error], [3, 1, null], 'three in, one stuck');
  const state = await fake.state();
  assertEqual(Object.keys(state.notes).sort(), good.slice().sort(), 'the good notes arrived');
  // 4 items -> 2 -> the bad one, tried twice alone; then the good ones go on.
  assertEqual(state.sync_bodies.map((b) => b.interactions.length), [4, 2, 1, 1, 1, 2], 'halving');
  assert(Date.now() - started >= 20 + 40 + 80 + 160, 'it paused longer after each failure');
  const [stuck] = (await crmOutbox.status()).items;
  assertEqual([stuck.id, stuck.state], [bad, 'stuck'], 'the bad note is kept and marked');
  assert(/server failed on this item/.test(stuck.error), `said in words: ${stuck.error}`);
  assert(Date.parse(stuck.retry_at) > Date.now(), 'tried again later, on its own');
  assertEqual((await crmOutbox.flush()).sent, 0, 'not sent again before its time');
});

test('the_pause_follows_retry_after_when_the_server_is_busy', async () => {
  await fake.script(['http-503']);
  const started = Date.now();
  await crmOutbox.enqueueNote(note());
  const report = await crmOutbox.flush();
  assertEqual([report.acked, report.error], [1, null], 'sent after the pause');
  assert(Date.now() - started >= 1000, 'waited the Retry-After second');
  crmOutbox.configureTiming({inlineMaxMs: 500});
  await fake.script(['http-503']);
  await crmOutbox.enqueueNote(note({summary: 'Later'}));
  const busy = await crmOutbox.flush();
  assertEqual(busy.error, 'http-503', 'a pause longer than a flush may wait ends it');
  assert(busy.retryAt >= Date.now() + 500, 'and the next try is set after Retry-After');
  assertEqual((await crmOutbox.status()).items.map((i) => i.state), ['waiting'], 'kept');
});

test('the_changed_copy_is_kept_and_shown_when_the_server_holds_another_version', async () => {
  signOut();
  const id = await crmOutbox.enqueueNote(note({summary: 'Quote by Friday'}));
  await crmOutbox.flush();
  signIn('test-token');
  await fake.script(['lost-ack']);
  await crmOutbox.flush();
  await crmOutbox.correct(id, {summary: 'Quote by Monday, not Friday'});
  const report = await crmOutbox.flush();
  assertEqual(report.conflict, 1, 'the server answered conflict');
  const [item] = (await crmOutbox.status()).items;
  assertEqual([item.id, item.state, item.summary], [id, 'conflict', 'Quote by Monday, not Friday'],
    'the phone keeps its changed copy');
  assert(item.error, 'with the reason');
  assert(await crmOutbox.sendAsNew(id), 'the rep sends it as a new note');
  await crmOutbox.flush();
  const state = await fake.state();
  assertEqual(Object.values(state.notes).map((n) => n.summary).sort(),
    ['Quote by Friday', 'Quote by Monday, not Friday'], 'both versions are on the server');
  assertEqual((await crmOutbox.status()).items, [], 'outbox empty');
});

test('the_note_is_kept_and_its_refused_next_step_can_be_corrected', async () => {
  const id = await crmOutbox.enqueueNote(note({follow_up: {due_on: '2020-01-01', title: 'Call back'}}));
  const outcome = await crmOutbox.sendNow(id);
  assertEqual(outcome.state, 'sent', 'the note was stored');
  const words = /^The note is saved, but not its next step: The next step's date, 1 Jan 2020, has already passed; choose \d+ \w+ \d{4} or a later day\.$/;
  assert(words.test(outcome.nextStep.error), `explained in words: ${outcome.nextStep.error}`);
  assert((await fake.state()).notes[id], 'the note is on the server');
  const [step] = (await crmOutbox.status()).items;
  assertEqual([step.kind, step.state, step.note_id], ['next_step', 'rejected', id], 'the next step waits');
  const tomorrow = await crmOutbox.localDay(1);
  await crmOutbox.correct(step.id, {due_on: tomorrow});
  await crmOutbox.flush();
  const state = await fake.state();
  assertEqual(state.added_follow_ups.map((f) => [f.contact_id, f.title, f.due_on]),
    [[DANA, 'Call back', tomorrow]], 'the corrected next step reached the server');
  assertEqual((await crmOutbox.status()).items, [], 'outbox empty');
});

test('a_rejected_note_is_corrected_and_sent_again', async () => {
  const id = await crmOutbox.enqueueNote(note({occurred_at: '2099-05-01T10:00:00+00:00'}));
  assertEqual((await crmOutbox.sendNow(id)).state, 'rejected', 'refused: in the future');
  await assertRejects(crmOutbox.correct(id, {summary: '  '}),
    (error) => assertEqual(error.field, 'summary', 'the field at fault'), 'an empty note');
  await crmOutbox.correct(id, {occurred_at: new Date().toISOString()});
  assertEqual((await crmOutbox.sendNow(id)).state, 'sent', 'the corrected note is stored');
  assertEqual(Object.keys((await fake.state()).notes), [id], 'under its own id');
});

test('rejected_item_is_kept_and_not_resent_until_retried_when_server_rejects_it', async () => {
  await fake.rejectContacts([GONE]);
  signOut();
  const good = await crmOutbox.enqueueNote(note());
  const bad = await crmOutbox.enqueueNote(note({contact_id: GONE, summary: 'Lunch with Sam'}));
  signIn('test-token');
  const report = await crmOutbox.flush();
  assertEqual([report.acked, report.rejected], [1, 1], 'one stored, one rejected');
  const status = await crmOutbox.status();
  assertEqual(status, {waiting: 0, items: [{id: bad, kind: 'interaction', state: 'rejected',
    summary: 'Lunch with Sam', error: 'unknown contact', retry_at: null, contact_id: GONE,
    note_id: null}]}, 'status');
  await crmOutbox.flush();
  let state = await fake.state();
  assertEqual([state.received[good], state.received[bad]], [1, 1], 'the rejected note is not resent');
  assert(await crmOutbox.retry(bad), 'retry finds the item');
  await crmOutbox.flush();
  state = await fake.state();
  assertEqual(state.received[bad], 2, 'retry sends it again');
  assertEqual((await crmOutbox.status()).items.length, 1, 'still rejected, still kept');
  await crmOutbox.discard(bad);
  assertEqual(await crmOutbox.status(), {waiting: 0, items: []}, 'discarded');
  assertEqual((await rawStore('outbox')).length, 0, 'gone from IndexedDB');
});

test('only_the_bad_item_is_rejected_when_server_refuses_the_whole_batch', async () => {
  signOut();
  const ids = [];
  for (const summary of ['First', 'Second', 'Third']) ids.push(await crmOutbox.enqueueNote(note({summary})));
  await fake.poison({[ids[1]]: 422});
  signIn('test-token');
  const report = await crmOutbox.flush();
  assertEqual([report.acked, report.rejected], [2, 1], 'the good ones got through');
  const {items} = await crmOutbox.status();
  assertEqual(items.map((r) => [r.id, r.error]), [[ids[1], 'poisoned item in the batch']], 'reason');
});

test('batches_hold_at_most_1000_items_in_order_when_many_are_waiting', async () => {
  signOut();
  const ids = await Promise.all(Array.from({length: 1001},
    (_, i) => crmOutbox.enqueueNote(note({summary: `Note ${i}`}))));
  signIn('test-token');
  const report = await crmOutbox.flush();
  assertEqual([report.sent, report.acked], [1001, 1001], 'all sent');
  const state = await fake.state();
  assertEqual(state.sync_bodies.map((b) => b.interactions.length), [1000, 1], 'batch sizes');
  assertEqual(state.sync_bodies.flatMap((b) => b.interactions), ids, 'queue order kept');
});

test('status_and_change_events_follow_each_change_when_notes_come_and_go', async () => {
  const seen = [];
  const listener = (event) => seen.push(event.detail.waiting);
  window.addEventListener('crm-outbox-change', listener);
  try {
    signOut();
    await crmOutbox.enqueueNote(note());
    assertEqual(document.documentElement.dataset.outboxWaiting, '1', 'data attribute after enqueue');
    await crmOutbox.enqueueFollowUpUpdate({id: '5b0c2a9e-1f1d-4b8e-a0c1-00000000f001', status: 'done'});
    assertEqual((await crmOutbox.status()).waiting, 2, 'status counts both kinds');
    signIn('test-token');
    await crmOutbox.flush();
  } finally {
    window.removeEventListener('crm-outbox-change', listener);
  }
  assertEqual(seen, [1, 2, 0], 'events after each change');
  assertEqual(document.documentElement.dataset.outboxWaiting, '0', 'data attribute after sync');
});

test('last_change_event_counts_every_note_when_many_are_queued_at_once', async () => {
  const seen = [];
  const listener = (event) => seen.push(event.detail.waiting);
  window.addEventListener('crm-outbox-change', listener);
  try {
    signOut();
    await Promise.all(Array.from({length: 50}, (_, i) => crmOutbox.enqueueNote(note({summary: `Note ${i}`}))));
  } finally {
    window.removeEventListener('crm-outbox-change', listener);
  }
  assertEqual(seen[seen.length - 1], 50, 'the last event counts all fifty');
  assertEqual(document.documentElement.dataset.outboxWaiting, '50', 'data attribute after the burst');
  assertEqual(seen.every((waiting, i) => i === 0 || waiting >= seen[i - 1]), true, 'counts only grow');
});

test('latest_follow_up_change_wins_when_changed_twice_offline', async () => {
  signOut();
  await crmOutbox.enqueueFollowUpUpdate({id: '5b0c2a9e-1f1d-4b8e-a0c1-00000000f009', status: 'done', changed_at: '2026-05-01T10:00:00+00:00'});
  await crmOutbox.enqueueFollowUpUpdate({id: '5b0c2a9e-1f1d-4b8e-a0c1-00000000f009', status: 'open', changed_at: '2026-05-01T09:00:00+00:00'});
  await crmOutbox.enqueueFollowUpUpdate({id: '5b0c2a9e-1f1d-4b8e-a0c1-00000000f009', status: 'snoozed', snooze_until: '2026-05-02',
    changed_at: '2026-05-01T11:00:00+00:00'});
  await assertRejects(crmOutbox.enqueueFollowUpUpdate({id: '5b0c2a9e-1f1d-4b8e-a0c1-00000000f009', status: 'snoozed'}),
    (error) => assertEqual(error.field, 'snooze_until', 'the field at fault'), 'snooze needs a time');
  signIn('test-token');
  await crmOutbox.flush();
  const state = await fake.state();
  assertEqual(state.follow_ups['5b0c2a9e-1f1d-4b8e-a0c1-00000000f009'].status, 'snoozed', 'the latest change reached the server');
  assertEqual(state.received['5b0c2a9e-1f1d-4b8e-a0c1-00000000f009'], 1, 'once');
});

test('token_is_copied_for_the_service_worker_when_the_page_flushes', async () => {
  localStorage.setItem('rapport_token', 'raw-token');
  await crmOutbox.flush();
  const meta = await rawStore('meta');
  assert(meta.some((value) => value && value.token === 'raw-token'), 'unquoted token stored in meta');
  signOut();
  await crmOutbox.flush();
  assert(!(await rawStore('meta')).some((value) => value && value.token), 'sign-out forgets it');
});
