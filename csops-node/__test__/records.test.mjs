// book.withRecords: the book with the records a CRM webhook or a nightly delta brings (the core's
// Book::with_records), records read as loading reads a JSON document: restated records replace
// the old ones, new ones are added, every problem is reported with its place, sync = async.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Book, loadBookCsv } from 'csops';
import { CSV } from './fixtures.mjs';
import { rejectsCode, throwsCode } from './helpers.mjs';

const book = loadBookCsv(CSV);
const doc = (b) => JSON.parse(b.toJson());

const ENDED = { contact_id: 'C1', role: 'executive_sponsor', added: '2024-01-01', removed: '2024-03-20' };

test('a spell sent again with `removed` ends it: a new book, the old one unchanged', () => {
  const before = doc(book);
  const after = book.withRecords({ contact_roles: [ENDED] });
  assert.ok(after instanceof Book);
  assert.notEqual(after, book);
  // Replaced, not added.
  assert.deepEqual(after.counts(), book.counts());
  assert.deepEqual(doc(after).contact_roles, [ENDED, before.contact_roles[1]]);
  assert.deepEqual(doc(book), before);
  // A clean report, counting the merged lists.
  assert.equal(after.report.isClean, true);
  assert.deepEqual(after.report.files.contact_roles, { read: 2, loaded: 2, rejected: 0 });
  // Everything else is as it was.
  const { contact_roles: _a, ...rest } = doc(after);
  const { contact_roles: _b, ...restBefore } = before;
  assert.deepEqual(rest, restBefore);
});

test('records as an object or as JSON text; days as ISO strings or Dates', () => {
  const viaObject = doc(book.withRecords({ contact_roles: [ENDED] }));
  assert.deepEqual(doc(book.withRecords(JSON.stringify({ contact_roles: [ENDED] }))), viaObject);
  assert.deepEqual(doc(book.withRecords({ schema_version: 1, contact_roles: [{ ...ENDED, removed: new Date('2024-03-20T00:00:00Z') }] })), viaObject);
  assert.deepEqual(doc(book.withRecords({ contact_roles: [ENDED] }, { mode: 'strict' })), viaObject);
  for (const options of [undefined, null, {}, { mode: undefined }]) {
    assert.deepEqual(doc(book.withRecords({ contact_roles: [ENDED] }, options)), viaObject);
  }
  // Nothing given: the same book.
  assert.deepEqual(doc(book.withRecords({})), doc(book));
});

test('new records are added, restated ones replace the old (by id), accounts and contacts too', () => {
  const ticket = { id: 'T3', account_id: 'A3', opened: '2024-03-25', priority: 'high', status: 'open', escalated: true };
  const closed = { id: 'T2', account_id: 'A3', opened: '2024-03-20', closed: '2024-03-28', priority: 'urgent', status: 'closed', escalated: true, csat: 2 };
  const after = book.withRecords({
    tickets: [ticket, closed],
    accounts: [{ id: 'A3', name: 'Gamma', owner_csm: 'kim', currency: 'GBP', arr: '0.10', seats: 3, start_date: '2024-03-01', renewal_date: '2025-03-01' }],
    contacts: [{ id: 'C3', account_id: 'A3', name: 'Ola', email: 'ola@gamma.example' }],
  });
  assert.equal(after.counts().tickets, book.counts().tickets + 1);
  assert.equal(after.counts().accounts, book.counts().accounts);
  assert.equal(after.counts().contacts, book.counts().contacts + 1);
  const tickets = doc(after).tickets;
  assert.deepEqual(tickets.find((t) => t.id === 'T2'), closed);
  assert.deepEqual(tickets.find((t) => t.id === 'T3'), ticket);
  // The account restated: a new owner, its attributes as given (none), in its place.
  assert.deepEqual(after.accountIds(), book.accountIds());
  const a3 = after.accounts().find((a) => a.id === 'A3');
  assert.equal(a3.ownerCsm, 'kim');
  assert.deepEqual(a3.attributes, {});
  // Contacts, account by account.
  assert.deepEqual(
    after.contacts().map((c) => [c.id, c.accountId, c.email]),
    [['C1', 'A1', 'sam@acme.example'], ['C2', 'A3', null], ['C3', 'A3', 'ola@gamma.example']],
  );
  assert.deepEqual(book.contacts().map((c) => c.id), ['C1', 'C2']);
});

test('a record that refers to nothing, or has a bad value, is CSOPS_VALIDATION with its place', () => {
  const cases = [
    [{ contact_roles: [{ ...ENDED, contact_id: 'C9' }] }, { file: 'records#contact_roles', row: 1, field: 'contact_id', kind: 'unknown_reference' }],
    [{ contact_roles: [ENDED, { ...ENDED, role: 'sponsor' }] }, { file: 'records#contact_roles', row: 2, field: 'role', kind: 'unknown_value' }],
    [{ contact_roles: [{ ...ENDED, removed: '2023-01-01' }] }, { file: 'records#contact_roles', row: 1, kind: 'dates_out_of_order' }],
    [{ contact_roles: [{ ...ENDED, removed: 'yesterday' }] }, { file: 'records#contact_roles', row: 1, field: 'removed', kind: 'malformed' }],
    // JSON records have no header: a key no record has is a missing value of each record.
    [{ contact_roles: [{ contact_id: 'C1', role: 'champion' }] }, { file: 'records#contact_roles', row: 1, field: 'added', kind: 'missing' }],
    [{ contact_roles: [ENDED, { contact_id: 'C1', role: 'champion', added: null }] }, { file: 'records#contact_roles', row: 2, field: 'added', kind: 'missing' }],
    [{ tickets: [{ id: 'T9', account_id: 'A9', opened: '2024-03-01', priority: 'low', status: 'open' }] }, { file: 'records#tickets', row: 1, field: 'account_id', kind: 'unknown_reference' }],
  ];
  for (const [records, expected] of cases) {
    const e = throwsCode(() => book.withRecords(records), 'CSOPS_VALIDATION');
    assert.ok(e.problems.length >= 1, JSON.stringify(e.problems));
    const p = e.problems[0];
    for (const [k, v] of Object.entries(expected)) assert.equal(p[k], v, `${k}: ${JSON.stringify(p)}`);
    assert.equal(e.report.isClean, false);
    assert.equal(typeof p.reason, 'string');
  }
  // The report counts the records given, not the book's rows they were checked against.
  const e = throwsCode(() => book.withRecords({ contact_roles: [{ ...ENDED, contact_id: 'C9' }] }), 'CSOPS_VALIDATION');
  assert.deepEqual(e.report.files, { 'records#contact_roles': { read: 1, loaded: 0, rejected: 1 } });
  assert.match(e.message, /1 of 1 row\(s\) rejected/);
});

test('lenient: the valid records are taken, the rest listed in the new book\'s report', () => {
  const after = book.withRecords({ contact_roles: [ENDED, { ...ENDED, contact_id: 'C9' }] }, { mode: 'lenient' });
  assert.deepEqual(doc(after).contact_roles[0], ENDED);
  assert.equal(after.counts().contactRoles, book.counts().contactRoles);
  const { problems, rejected, isClean } = after.report;
  assert.equal(isClean, false);
  assert.deepEqual(
    problems.map((p) => [p.file, p.row, p.field, p.kind]),
    [['records#contact_roles', 2, 'contact_id', 'unknown_reference']],
  );
  assert.deepEqual(rejected.map((r) => [r.file, r.row, r.fields.contact_id]), [['records#contact_roles', 2, 'C9']]);
});

test('text that is not records is CSOPS_FORMAT; arguments of the wrong type CSOPS_INVALID_ARGUMENT', async () => {
  for (const text of ['{not json', '[]', '5', '{"contact_role": []}', '{"tickets": 5}', '{"tickets": [5]}', '{"schema_version": 2}', '']) {
    const e = throwsCode(() => book.withRecords(text), 'CSOPS_FORMAT');
    assert.match(e.message, /records/);
    await rejectsCode(book.withRecordsAsync(text), 'CSOPS_FORMAT');
  }
  for (const [records, options, name] of [
    [5, undefined, /`records`/],
    [null, undefined, /`records`/],
    [[{ contact_roles: [] }], undefined, /`records`/],
    [{}, { mode: 5 }, /mode: invalid type/],
    [{}, { strict: true }, /strict: unknown field/],
    [{}, 'lenient', /`options`/],
  ]) {
    const e = throwsCode(() => book.withRecords(records, options), 'CSOPS_INVALID_ARGUMENT');
    assert.match(e.message, name);
    await rejectsCode(book.withRecordsAsync(records, options), 'CSOPS_INVALID_ARGUMENT');
  }
  // A mode that is not a mode is CSOPS_CONFIG, as Python's ConfigError (the core's
  // WithRecordsSettings read by the core).
  const loose = throwsCode(() => book.withRecords({}, { mode: 'loose' }), 'CSOPS_CONFIG');
  assert.match(loose.message, /mode: unknown variant `loose`, expected `strict` or `lenient`/);
  // Circular and absurdly deep data cannot be written as JSON.
  const cyclic = { contact_roles: [] };
  cyclic.contact_roles.push(cyclic);
  throwsCode(() => book.withRecords(cyclic), 'CSOPS_INVALID_ARGUMENT');
  throwsCode(() => book.withRecords(`{"contact_roles": ${'['.repeat(100_000)}`), 'CSOPS_FORMAT');
});

test('withRecordsAsync resolves to the same book; errors reject, never throw', async () => {
  const pending = book.withRecordsAsync({ contact_roles: [ENDED] });
  assert.ok(pending instanceof Promise);
  const after = await pending;
  assert.ok(after instanceof Book);
  assert.deepEqual(doc(after), doc(book.withRecords({ contact_roles: [ENDED] })));
  const e = await rejectsCode(book.withRecordsAsync({ contact_roles: [{ ...ENDED, contact_id: 'C9' }] }), 'CSOPS_VALIDATION');
  assert.equal(e.problems[0].file, 'records#contact_roles');
  assert.deepEqual(doc(await book.withRecordsAsync({ tickets: [] }, { mode: 'lenient' })), doc(book));
});

test('the new book is a book like any other: chained, written and loaded back', () => {
  const once = book.withRecords({ contact_roles: [ENDED] });
  const twice = once.withRecords({ contact_roles: [{ contact_id: 'C1', role: 'champion', added: '2024-03-21' }] });
  assert.equal(twice.counts().contactRoles, 3);
  assert.equal(once.counts().contactRoles, 2);
  assert.ok(twice.featuresAsOf('2024-03-31').length === 3);
});
