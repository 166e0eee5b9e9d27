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

test('items_stay_when_server_fails_or_token_is_refused', async () => {
  signOut();
  await crmOutbox.enqueueNote(note());
  await crmOutbox.flush();
  signIn('test-token');
  await fake.script(['http-500']);
  assertEqual((await crmOutbox.flush()).error, 'http-500', 'a 5xx');
  assertEqual((await crmOutbox.status()).waiting, 1, 'kept after a 5xx');
  signIn('revoked-token');
  assertEqual((await crmOutbox.flush()).error, 'unauthorized', 'a 401');
  assertEqual((await crmOutbox.status()).waiting, 1, 'kept after a 401');
  signIn('test-token');
  assertEqual((await crmOutbox.flush()).acked, 1, 'sent once the server is well');
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
  assertEqual(status, {waiting: 0, rejected: [{id: bad, kind: 'interaction', summary: 'Lunch with Sam',
    error: 'unknown contact', contact_id: GONE}]}, 'status');
  await crmOutbox.flush();
  let state = await fake.state();
  assertEqual([state.received[good], state.received[bad]], [1, 1], 'the rejected note is not resent');
  assert(await crmOutbox.retry(bad), 'retry finds the item');
  await crmOutbox.flush();
  state = await fake.state();
  assertEqual(state.received[bad], 2, 'retry sends it again');
  assertEqual((await crmOutbox.status()).rejected.length, 1, 'still rejected, still kept');
  await crmOutbox.discard(bad);
  assertEqual(await crmOutbox.status(), {waiting: 0, rejected: []}, 'discarded');
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
  const {rejected} = await crmOutbox.status();
  assertEqual(rejected.map((r) => [r.id, r.error]), [[ids[1], 'poisoned item in the batch']], 'reason');
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
