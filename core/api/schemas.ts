// The input schemas of the API's operations (valibot), and checkInput, which
// every adapter calls once at its edge: what passes is typed, what fails
// becomes a ServiceError whose code names the field (FIELD_CODES) and whose
// message says what to send.
import * as v from 'valibot';
import { MAX_TEXT_BYTES } from '../notes/limits.ts';
import { ServiceError, type ServiceErrorCode } from '../service/errors.ts';
import { MAX_LOG_PAGE } from '../service/log-view.ts';

/** FIELD_CODES is the error code of a bad value in each input field; other fields, and a bad body, are `invalid-request`. */
const FIELD_CODES: Readonly<Record<string, ServiceErrorCode>> = {
  text: 'invalid-text',
  version: 'invalid-version',
  to: 'invalid-member',
  from: 'invalid-range',
  limit: 'invalid-range',
  format: 'invalid-format',
  after: 'invalid-range',
};

/** body is an operation's input object; `example` shows what to send when the body is not an object (an array is not one). */
export function body<E extends v.ObjectEntries>(entries: E, example: string) {
  const message = `The request body must be a JSON object, e.g. ${example}.`;
  return v.pipe(
    v.custom<Record<string, unknown>>((input) => typeof input === 'object' && input !== null && !Array.isArray(input), message),
    v.object(entries, message),
  );
}

/** noteText is a note's text: 1 to MAX_TEXT_BYTES bytes of UTF-8, not only whitespace (the pages refuse that too). */
export const noteText = v.pipe(
  v.string("The note's text must be a string."),
  v.minLength(1, "The note's text must not be empty."),
  v.check((text) => text.trim().length > 0, "The note's text must not be only spaces and line breaks: write something."),
  v.maxBytes(MAX_TEXT_BYTES, `The note's text must be at most ${MAX_TEXT_BYTES} bytes of UTF-8.`),
);

const VERSION_MESSAGE = 'Send the version of the note you saw, a whole number from 1 (the note\'s "version" field).';

/** noteVersion is the version of a note the caller saw (compare-and-swap). */
export const noteVersion = v.pipe(v.number(VERSION_MESSAGE), v.safeInteger(VERSION_MESSAGE), v.minValue(1, VERSION_MESSAGE));

/** pathParam is a parameter of the request's path (or the same field given over IPC). */
export const pathParam = v.string('A path parameter is missing.');

/** wholeNumber is an optional query parameter that must be a whole number in [min, max]. */
function wholeNumber(name: string, min: number, max: number, example = '/api/log?from=1&limit=100') {
  const message = `${name} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' on' : ` to ${max}`}, e.g. ${example}.`;
  return v.optional(v.pipe(v.number(message), v.safeInteger(message), v.minValue(min, message), v.maxValue(max, message)));
}

/** logRange is GET /api/log's `from` and `limit`. */
export const logRange = v.object({
  from: wholeNumber('from', 1, Number.MAX_SAFE_INTEGER),
  limit: wholeNumber('limit', 1, MAX_LOG_PAGE),
});

/** notesQuery is GET /api/notes's `after`: a log index this peer must have applied before it answers. */
export const notesQuery = v.object({
  after: wholeNumber('after', 1, Number.MAX_SAFE_INTEGER, '/api/notes?after=42'),
});

/** exportFormat is GET /api/export's `format`: md or json (the default). */
export const exportFormat = v.object({
  format: v.optional(v.picklist(['md', 'json'], 'format must be md or json, e.g. /api/export?format=md.'), 'json'),
});

const OPEN_MESSAGE = 'Send {"name":"…"} to create a notebook or {"invite":"rn1…"} to join one.';

/** openNotebook is POST /api/notebook's body: an invite code to join with (it wins), or a name to create a notebook with. */
export const openNotebook = v.pipe(
  body({ name: v.optional(v.unknown()), invite: v.optional(v.unknown()) }, '{"name":"…"} or {"invite":"rn1…"}'),
  v.transform(({ name, invite }): { invite: string } | { name: string } | null =>
    typeof invite === 'string' ? { invite } : typeof name === 'string' ? { name } : null),
  v.check((input) => input !== null, OPEN_MESSAGE),
  v.transform((input) => input!),
);

const LAB_EXAMPLE = '{"paused":true}, {"tickMs":100}, {"step":1}, {"cut":["<peer id>"]}, {"preVote":false,"checkQuorum":false} or {"fireElectionIn":1}';

/** labTicks is a whole number of ticks (or ms) in [min, max], named in its message. */
function labNumber(name: string, min: number, max: number) {
  const message = `${name} must be a whole number from ${min} to ${max}.`;
  return v.optional(v.pipe(v.number(message), v.safeInteger(message), v.minValue(min, message), v.maxValue(max, message)));
}

/** labFlag is an optional boolean lab setting. */
function labFlag(name: string) {
  return v.optional(v.boolean(`${name} must be true or false.`));
}

/** labChange is POST /api/lab's body: the demo's controls, any of them at once. */
export const labChange = body({
  tickMs: labNumber('tickMs (milliseconds per Raft tick)', 1, 1000),
  paused: labFlag('paused'),
  step: labNumber('step (ticks to make while paused)', 1, 100),
  cut: v.optional(v.pipe(
    v.array(v.pipe(v.string('cut lists peer ids (strings).'), v.maxLength(200, 'A peer id in cut is at most 200 characters.')),
      'cut must be a list of peer ids, [] to heal.'),
    v.maxLength(64, 'cut lists at most 64 peers.'),
  )),
  preVote: labFlag('preVote'),
  checkQuorum: labFlag('checkQuorum'),
  fireElectionIn: labNumber('fireElectionIn (ticks)', 1, 1000),
}, LAB_EXAMPLE);

/** checkInput returns `raw` checked by `schema`, or throws the ServiceError of its first problem. */
export function checkInput<S extends v.GenericSchema>(schema: S, raw: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, raw, { abortEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = issue.path?.[0]?.key;
  const code = typeof key === 'string' ? FIELD_CODES[key] ?? 'invalid-request' : 'invalid-request';
  throw new ServiceError(code, issue.message);
}
