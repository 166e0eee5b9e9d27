/* Cases for assets/contactbook.js, run against the fake /api/v1/book (the server's
 * own cursor code and response model, see tests/integration/test_offline_js.py). */
'use strict';

const ID = {dana: '0d6f1f5e-6a43-4c2e-9d55-0f1a2b3c4d01', rebecca: '0d6f1f5e-6a43-4c2e-9d55-0f1a2b3c4d02', omar: '0d6f1f5e-6a43-4c2e-9d55-0f1a2b3c4d03', jose: '0d6f1f5e-6a43-4c2e-9d55-0f1a2b3c4d04', soren: '0d6f1f5e-6a43-4c2e-9d55-0f1a2b3c4d05', kim: '0d6f1f5e-6a43-4c2e-9d55-0f1a2b3c4d06'};

const BOOK = [
  {id: ID.dana, name: 'Dana Reyes', company: 'Acme Builders', title: 'Site manager',
   phone: '+1 555-010-0123', phone_digits: '15550100123', email: 'dana@acme.example',
   tier: 'high', tags: ['quote'], health: {score: 80, band: 'strong'}},
  {id: ID.rebecca, name: 'Rebecca Stone', company: 'Reyes Logistics', phone: '+44 20 7946 0018',
   phone_digits: '442079460018', email: 'rebecca@reyes.example', tier: 'medium', tags: []},
  {id: ID.omar, name: 'Omar Haddad', company: 'Northwind', phone: null, email: 'omar@northwind.example',
   tier: 'low', tags: ['golf', 'wine club'], connection_notes: 'Collects vintage vinyl'},
  {id: ID.jose, name: 'José Álvarez', company: 'Café Central', phone: '555 0100', phone_digits: '5550100',
   email: null, tier: 'medium', tags: []},
  {id: ID.soren, name: "Søren O'Brien", company: 'Straße Bau', phone: null, email: null,
   tier: 'low', tags: []},
];

const names = (contacts) => contacts.map((c) => c.name);

test('search_matches_like_the_server_when_the_book_is_loaded', async () => {
  await fake.contacts({upsert: BOOK});
  assertEqual((await crmBook.refresh()).error, null, 'refresh');
  assertEqual(names(await crmBook.search('re')), ['Rebecca Stone', 'Dana Reyes'], 'name word prefixes');
  assertEqual(names(await crmBook.search('REYES')), ['Dana Reyes', 'Rebecca Stone'], 'name before company');
  assertEqual(names(await crmBook.search('dana r')), ['Dana Reyes'], 'every word must match');
  assertEqual(names(await crmBook.search('jose')), ['José Álvarez'], 'accents and case folded');
  assertEqual(names(await crmBook.search('soren obrien')), ["Søren O'Brien"], 'ø and apostrophe');
  assertEqual(names(await crmBook.search('strasse')), ["Søren O'Brien"], 'ß spelled out');
  assertEqual(names(await crmBook.search('wine')), ['Omar Haddad'], 'tags');
  assertEqual(names(await crmBook.search('northwind.ex')), ['Omar Haddad'], 'email words');
  assertEqual(names(await crmBook.search('555 0100')), ['José Álvarez', 'Dana Reyes'],
    'phone fragment, the whole number before a longer one');
  assertEqual(names(await crmBook.search('7946')), ['Rebecca Stone'], 'phone digits inside the number');
  assertEqual(names(await crmBook.search('vinyl')), ['Omar Haddad'], 'connection notes');
  assertEqual(names(await crmBook.search('manag')), ['Dana Reyes'], 'job title');
  assertEqual(names(await crmBook.search('ames')), [], 'only word prefixes match');
  assertEqual((await crmBook.search('', 2)).length, 2, 'limit');
  const [dana] = await crmBook.search('dana');
  assertEqual([dana.band, dana.tier, dana.phone_digits], ['strong', 'high', '15550100123'], 'stored fields');
});

test('refresh_fetches_only_changes_and_drops_what_left_the_book', async () => {
  await fake.contacts({upsert: BOOK, page_cap: 3});
  const first = await crmBook.refresh();
  assertEqual([first.updated, first.error], [5, null], 'first refresh takes the whole book');
  let state = await fake.state();
  assertEqual(state.contact_queries.length, 2, 'two pages of three');
  assertEqual(state.contact_queries[0].cursor, null, 'no cursor the first time');
  const fresh = await crmBook.freshness();
  assertEqual(fresh.time_zone, 'Pacific/Auckland', 'the rep\'s zone kept for "as of"');
  await fake.contacts({upsert: [{...BOOK[2], name: 'Omar Haddad-Lee'}], delete: [ID.rebecca]});
  const second = await crmBook.refresh();
  assertEqual([second.updated, second.removed], [1, 1], 'one change, one removal');
  state = await fake.state();
  assertEqual(state.contact_queries.length, 3, 'one page for one change');
  assertEqual(await crmBook.count(), 4, 'contacts kept');
  assertEqual(names(await crmBook.search('haddad')), ['Omar Haddad-Lee'], 'the change is searchable');
  assertEqual(await crmBook.get(ID.rebecca), undefined, 'the erased contact is gone');
  await fake.contacts({hand_over: [ID.jose]});
  const third = await crmBook.refresh();
  assertEqual([third.updated, third.removed], [0, 1], 'handed over: found by the digest');
  assertEqual(await crmBook.get(ID.jose), undefined, 'the handed-over contact is gone');
  assert((await crmBook.freshness()).as_of > fresh.as_of, 'as of the last refresh');
  const held = [ID.dana, ID.omar, ID.soren];
  await fake.contacts({page_cap: 100});
  const page = await (await crmOutbox.apiFetch('/book?limit=1000')).json();
  assertEqual(crmBook.digestOf(held), page.digest, 'the phone folds ids as the server does');
});

test('book_starts_again_when_another_user_signs_in', async () => {
  await fake.contacts({upsert: BOOK});
  await crmBook.refresh();
  await fake.contacts({owner: 'other-token', upsert: [{id: ID.kim, name: 'Kim Lee', tags: []}]});
  signIn('other-token');
  await crmBook.refresh();
  const state = await fake.state();
  assertEqual(state.contact_queries.at(-1).cursor, null, 'a full download for the new user');
  assertEqual(names(await crmBook.search('')), ['Kim Lee'], 'only the new user\'s book');
  signOut();
  assertEqual((await crmBook.refresh()).error, 'signed-out', 'no token, no request');
  await crmBook.clear();
  assertEqual(await crmBook.count(), 0, 'cleared');
});
