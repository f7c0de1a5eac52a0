// A CRM webhook receiver with nothing but node:http: a contact-role change comes in (a sponsor
// left, a champion arrived), the book takes it, the account is scored again, the playbook runs
// for that account, and the answer lists what fired — the tasks for the CSM.
//
//   node examples/webhook.mjs [--port 3000] [--host 127.0.0.1] [--book ../data/sample-book]
//                             [--history fire-history.json] [--today 2026-10-01]
//
//   curl -s localhost:3000/events/contact-role-change -H 'content-type: application/json' \
//     -d '{"contact_id": "C-000006", "role": "executive_sponsor", "added": "2026-02-01", "removed": "2026-10-01"}'
//
// The event is one contact-role spell as the CRM holds it (`contact_id`, `role`, `added` and,
// when the role ended, `removed`). Sent again with `removed` set, a spell ends: the book replaces
// the spell it knew (`book.withRecords`). The plays run for the contact's account only
// (`runPlaysAsync(..., { accounts: [accountId] })`), with the fire history kept between events
// (plain JSON, in memory and optionally in a file), so the same event twice fires once.
//
// Routes:
//   POST /events/contact-role-change  → 200 { accountId, day, score, band, drivers, fired }
//                                        400 { error: { code, message } }            bad JSON, bad shape
//                                        422 { error: { code, message, problems } }  the record or run is invalid
//   GET  /history                      → 200 the fire history
//   GET  /health                       → 200 { ok, accounts, day }
//
// Imported, `startWebhookServer(options)` starts it (the tests drive it over loopback).
import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { Playbook, Scorecard, loadBookAsync, runPlaysAsync } from 'csops';

/** The sample book shipped with the repository. */
export const SAMPLE_BOOK = fileURLToPath(new URL('../../data/sample-book', import.meta.url));

/** The largest body accepted. */
const MAX_BODY = 64 * 1024;

/**
 * The plays this receiver runs, live (an event a CSM should act on today): the core's
 * `sponsor-left`; the same for a champion; and, when the sponsor of a red account leaves, an
 * escalation to CS leadership (a play reading the health band, so runs need the scorecard).
 */
export function defaultPlaybook() {
  const [sponsorLeft] = Playbook.sponsorLeft().toJson().plays;
  return new Playbook({
    plays: [
      { ...sponsorLeft, mode: 'live' },
      {
        name: 'champion-left',
        description: 'A champion left: find the next one before usage drifts.',
        owner: 'cs-ops',
        mode: 'live',
        cooldown_days: 30,
        filter: 'arr > 0',
        trigger: { kind: 'event', event: 'champion_removed' },
        actions: [
          { action: 'task', assign: { to: 'owner' }, title: 'Find a new champion at {name}', body: '{reason}.', due_in_days: 14, priority: 'normal' },
        ],
      },
      {
        name: 'sponsor-left-red',
        description: 'The sponsor of a red account left: escalate.',
        owner: 'cs-leadership',
        mode: 'live',
        cooldown_days: 30,
        filter: 'arr > 0',
        trigger: { kind: 'all', of: [{ kind: 'event', event: 'sponsor_removed' }, { kind: 'level', when: 'band == "red"' }] },
        actions: [
          { action: 'task', assign: { to: 'role', role: 'cs_leadership' }, title: 'Escalate {name}: red (score {score}) and the sponsor left', body: '{reason}. ARR {arr}, renewal {renewal_date}.', due_in_days: 2, priority: 'urgent' },
          { action: 'tag', tag: 'exec-risk' },
        ],
      },
    ],
  });
}

/** Today's UTC day, `YYYY-MM-DD`. */
const utcToday = () => new Date().toISOString().slice(0, 10);

/** An error answered with a status: a csops error (its `code` and details), or one of ours. */
class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The HTTP status for a csops error code. */
function statusOf(code) {
  switch (code) {
    case 'CSOPS_FORMAT':
    case 'CSOPS_INVALID_ARGUMENT':
      return 400;
    case 'CSOPS_VALIDATION':
    case 'CSOPS_CONFIG':
    case 'CSOPS_MONEY':
      return 422;
    default:
      return 500;
  }
}

/** The body of an error answer: the code, the message, and the details csops gives. */
function errorBody(e) {
  const error = { code: typeof e.code === 'string' ? e.code : 'INTERNAL', message: e.message };
  if (Array.isArray(e.problems)) error.problems = e.problems;
  return { error };
}

/** The request body as text (at most MAX_BODY bytes). */
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'CSOPS_INVALID_ARGUMENT', `the body is over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Write `value` as JSON to `file`, atomically (a temporary file renamed over it). */
async function writeJson(file, value) {
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, JSON.stringify(value, null, 2));
  await rename(temporary, file);
}

/**
 * The receiver's state and its one operation. Events are applied one at a time, in the order
 * they arrive (each builds on the book and history the previous one left).
 */
export class Receiver {
  constructor({ book, scorecard, playbook, history, historyFile, today }) {
    this.book = book;
    this.scorecard = scorecard;
    this.playbook = playbook;
    this.history = history;
    this.historyFile = historyFile;
    this.today = today;
    this.accountOf = new Map();
    this.queue = Promise.resolve();
  }

  /** The account of a contact (looked up again when the book has a contact it did not know). */
  account(contactId) {
    if (!this.accountOf.has(contactId)) {
      this.accountOf = new Map(this.book.contacts().map((c) => [c.id, c.accountId]));
    }
    return this.accountOf.get(contactId);
  }

  /** Apply a contact-role event, in turn. */
  contactRoleChange(event) {
    const next = this.queue.then(() => this.#apply(event));
    this.queue = next.catch(() => {});
    return next;
  }

  async #apply(event) {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw new HttpError(400, 'CSOPS_INVALID_ARGUMENT', 'the body must be a JSON object { contact_id, role, added, removed }');
    }
    const day = this.today();
    // The spell as a record of the book: new, or restating the one the book has (ending it).
    // Every value is checked by the core; an unknown contact or role is a CSOPS_VALIDATION error.
    const book = await this.book.withRecordsAsync({ contact_roles: [event] });
    const accountId = this.account(String(event.contact_id));
    // The account again: its score, band and what costs it points, on the day.
    const frame = await book.featuresAsOfAsync(day);
    const why = this.scorecard.explain(frame, accountId);
    // The plays, for this account only: the rest of the history is left as it was.
    const run = await runPlaysAsync(book, this.playbook, day, {
      history: this.history,
      scorecard: this.scorecard,
      accounts: [accountId],
    });
    if (this.historyFile) await writeJson(this.historyFile, run.history);
    this.book = book;
    this.history = run.history;
    return { accountId, day, score: why.score, band: why.band, drivers: why.drivers.slice(0, 3), fired: run.fired };
  }
}

/** The request handler: routes, JSON in and out, every error answered (never thrown). */
export function handler(receiver) {
  return async (req, res) => {
    const answer = (status, body) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      const { pathname } = new URL(req.url ?? '/', 'http://localhost');
      const route = `${req.method} ${pathname}`;
      if (route === 'POST /events/contact-role-change') {
        const text = await readBody(req);
        let event;
        try {
          event = JSON.parse(text);
        } catch (e) {
          throw new HttpError(400, 'CSOPS_FORMAT', `the body is not JSON: ${e.message}`);
        }
        answer(200, await receiver.contactRoleChange(event));
      } else if (route === 'GET /history') {
        answer(200, receiver.history);
      } else if (route === 'GET /health') {
        answer(200, { ok: true, accounts: receiver.book.counts().accounts, day: receiver.today() });
      } else if (['/events/contact-role-change', '/history', '/health'].includes(pathname)) {
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${pathname}`);
      } else {
        throw new HttpError(404, 'NOT_FOUND', `no route ${pathname}`);
      }
    } catch (e) {
      const status = e instanceof HttpError ? e.status : statusOf(e?.code);
      if (status >= 500) console.error(e);
      if (!res.headersSent) answer(status, errorBody(e));
      else res.destroy();
    }
  };
}

/**
 * Start the receiver. Options (all optional): `book` (a Book) or `bookPath` (default: the sample
 * book, loaded leniently), `scorecard` (default: the default heuristic), `playbook` (default:
 * `defaultPlaybook()`), `history` (the fire history to start from) or `historyFile` (read at
 * start when it exists, written after every event), `today` (a function giving the run's day,
 * default: the UTC day), `port` (default 0: any free one) and `host` (default 127.0.0.1).
 * Resolves to `{ server, url, receiver, close }`.
 */
export async function startWebhookServer(options = {}) {
  const book = options.book ?? (await loadBookAsync(options.bookPath ?? SAMPLE_BOOK, { mode: 'lenient' }));
  const scorecard = options.scorecard ?? Scorecard.defaultHeuristic();
  const playbook = options.playbook ?? defaultPlaybook();
  // Every play checked against the book's fields now, not at the first event.
  playbook.validate(book, { scorecard });
  let history = options.history ?? {};
  if (options.historyFile && options.history === undefined) {
    try {
      history = JSON.parse(await readFile(options.historyFile, 'utf8'));
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
  }
  const receiver = new Receiver({ book, scorecard, playbook, history, historyFile: options.historyFile, today: options.today ?? utcToday });
  const server = createServer(handler(receiver));
  // A client that goes away mid-request is its own problem, not the server's.
  server.on('clientError', (_, socket) => socket.destroy());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address();
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const close = () => new Promise((resolve) => server.close(() => resolve()));
  return { server, url, receiver, close };
}

// Run from the command line.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3000' },
      host: { type: 'string', default: '127.0.0.1' },
      book: { type: 'string' },
      history: { type: 'string' },
      today: { type: 'string' },
    },
  });
  const { url, close } = await startWebhookServer({
    port: Number(values.port),
    host: values.host,
    bookPath: values.book,
    historyFile: values.history,
    today: values.today ? () => values.today : undefined,
  });
  console.log(`csops webhook receiver on ${url} (POST /events/contact-role-change)`);
  process.once('SIGINT', () => close().then(() => process.exit(0)));
}
