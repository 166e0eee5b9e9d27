/* Cases for assets/contactbook.js, run against the fake /api/v1/contacts. */
'use strict';

const BOOK = [
  {id: 'c-dana', name: 'Dana Reyes', company: 'Acme Builders', title: 'Site manager',
   phone: '+1 555-010-0123', phone_digits: '15550100123', email: 'dana@acme.example',
   tier: 'high', tags: ['quote'], health: {score: 80, band: 'strong'}},
  {id: 'c-rebecca', name: 'Rebecca Stone', company: 'Reyes Logistics', phone: '+44 20 7946 0018',
   phone_digits: '442079460018', email: 'rebecca@reyes.example', tier: 'medium', tags: []},
  {id: 'c-omar', name: 'Omar Haddad', company: 'Northwind', phone: null, email: 'omar@northwind.example',
   tier: 'low', tags: ['golf', 'wine club'], connection_notes: 'Collects vintage vinyl'},
  {id: 'c-jose', name: 'José Álvarez', company: 'Café Central', phone: '555 0100', phone_digits: '5550100',
   email: null, tier: 'medium', tags: []},
  {id: 'c-soren', name: "Søren O'Brien", company: 'Straße Bau', phone: null, email: null,
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

test('refresh_fetches_only_changes_and_prunes_when_run_again', async () => {
  await fake.contacts({upsert: BOOK, page_cap: 3});
  const first = await crmBook.refresh();
  assertEqual([first.updated, first.error], [5, null], 'first refresh takes the whole book');
  let state = await fake.state();
  assertEqual(state.contact_queries.map((q) => [q.updated_since, q.cursor]),
    [[null, null], [null, '3']], 'paged with the cursor, no updated_since the first time');
  const since = state.contact_updated_at['c-soren'];
  await fake.contacts({upsert: [{...BOOK[2], name: 'Omar Haddad-Lee'}], delete: ['c-rebecca']});
  const second = await crmBook.refresh();
  assertEqual([second.updated, second.removed], [1, 1], 'one change, one removal');
  state = await fake.state();
  assertEqual(state.contact_queries.slice(2).map((q) => q.updated_since), [since], 'only what changed');
  assertEqual(await crmBook.count(), 4, 'contacts kept');
  assertEqual(names(await crmBook.search('haddad')), ['Omar Haddad-Lee'], 'the change is searchable');
  assertEqual(await crmBook.get('c-rebecca'), undefined, 'the removed contact is gone');
});

test('book_starts_again_when_another_user_signs_in', async () => {
  await fake.contacts({upsert: BOOK});
  await crmBook.refresh();
  await fake.contacts({owner: 'other-token', upsert: [{id: 'c-kim', name: 'Kim Lee', tags: []}]});
  signIn('other-token');
  await crmBook.refresh();
  const state = await fake.state();
  assertEqual(state.contact_queries.at(-1).updated_since, null, 'a full download for the new user');
  assertEqual(names(await crmBook.search('')), ['Kim Lee'], 'only the new user\'s book');
  signOut();
  assertEqual((await crmBook.refresh()).error, 'signed-out', 'no token, no request');
  await crmBook.clear();
  assertEqual(await crmBook.count(), 0, 'cleared');
});
