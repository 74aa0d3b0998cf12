// Property-based HTTP fuzzing of a real role process: requests generated with fast-check from a route table (mix of
// valid-shaped and garbage bodies, wrong types, huge numbers, unicode, deep nesting, wrong content types, random
// methods and paths), sent over keep-alive connections with some concurrency; every answer's status is recorded.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

export interface FuzzRoute {
  methods: string[];
  /** Path template: `:name` and `*` are filled with generated values. */
  path: string;
  /** Valid-shaped bodies for this route (mutated and mixed with garbage by the generator). */
  body?: fc.Arbitrary<unknown>;
  /** Query parameter names the route reads. */
  query?: string[];
}

export interface FuzzRequest { method: string; path: string; headers: Record<string, string>; body?: string }
export interface FuzzResult { request: FuzzRequest; status: number | 'error'; body: string }

/** Count per role: TRIREME_FUZZ_REQUESTS (default 10,000). */
export const FUZZ_REQUESTS = Number(process.env.TRIREME_FUZZ_REQUESTS ?? 10_000);
/** Seed for reproduction: TRIREME_FUZZ_SEED (default: random, printed on failure). */
export const FUZZ_SEED = Number(process.env.TRIREME_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

/** Strings hostile to parsers and path handling. */
export const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('', ' ', '..', '../../etc/passwd', '/etc/passwd', '%00', '\u0000', '\ud800', '💥', 'null', 'undefined', '__proto__', 'constructor',
    'NaN', '-1', '0', '1e309', '9'.repeat(400), '$(touch /tmp/trireme-fuzz-pwned)', '; rm -rf /', '<script>', "' OR 1=1", '%', '%%', '?', '#', '/'.repeat(50), 'a'.repeat(5000)),
);

/** Numbers JSON can carry that break naive code. */
export const nastyNumber = fc.oneof(
  fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 1e-320, 0.5, 4294967296, -2147483649),
);

/** Any JSON value, with a bias towards the troublesome. */
export const nastyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    nastyNumber, nastyString, fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nastyString, fc.constantFrom('id', 'type', 'value', 'name', '__proto__')), tie('value'), { maxKeys: 4 })),
})).value;

/** Replaces some fields of a valid-shaped object with hostile values (wrong types, huge numbers...). */
export function mutated(shape: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(shape, fc.array(fc.tuple(fc.nat(), nastyJson), { maxLength: 3 })).map(([value, edits]) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    for (const [i, v] of edits) if (keys.length > 0) copy[keys[i % keys.length]!] = v;
    return copy;
  });
}

const deepNesting = fc.integer({ min: 100, max: 100_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`);
const garbageText = fc.oneof(
  fc.string(), fc.constantFrom('{', '}', '{"a":', 'nul', '[1,2', '"unterminated', '\u0000\u0001', '{"__proto__":{"polluted":1}}', '1e999999'),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
  deepNesting,
);

function bodyArb(route: FuzzRoute): fc.Arbitrary<string | undefined> {
  const shaped = route.body ? [{ weight: 5, arbitrary: route.body.map((v) => JSON.stringify(v)) }, { weight: 4, arbitrary: mutated(route.body).map((v) => JSON.stringify(v)) }] : [];
  return fc.oneof(
    ...shaped,
    { weight: 2, arbitrary: nastyJson.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 2, arbitrary: garbageText },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/x-protobuf', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'garbage', '', ';;;', 'application/json;;') },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const accept = fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('application/json', 'text/plain', 'application/x-protobuf', 'text/event-stream', '*/*', 'garbage/;;', '') });

/** A path segment or query value as it would appear in a URL (percent-encoded unless it is a raw escape attempt). */
const urlValue = fc.oneof(
  { weight: 4, arbitrary: nastyString.map((s) => encodeURIComponent(Buffer.from(s.slice(0, 300)).toString()) /* lone surrogates become U+FFFD */) },
  { weight: 1, arbitrary: fc.constantFrom('..', '%2e%2e', '%2F', '%', '%zz', '%00', '.', '~', 'a%2F..%2F..') },
);

function fillPath(template: string): fc.Arbitrary<string> {
  const parts = template.split('/');
  return fc.tuple(...parts.map((p) => (p.startsWith(':') || p === '*' ? urlValue : fc.constant(p)))).map((ps) => ps.join('/'));
}

function queryArb(names: string[]): fc.Arbitrary<string> {
  const key = names.length > 0 ? fc.oneof(fc.constantFrom(...names), fc.constantFrom('jsonp', 'embed', 'force', 'offset', 'length', 'path')) : fc.constantFrom('jsonp', 'embed', 'force', 'x');
  return fc.array(fc.tuple(key, urlValue), { maxLength: 4 }).map((kv) => (kv.length === 0 ? '' : `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`));
}

export function requestArb(routes: FuzzRoute[]): fc.Arbitrary<FuzzRequest> {
  const onRoute = fc.constantFrom(...routes).chain((route) => fc.record({
    method: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...route.methods) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
    path: fillPath(route.path), query: queryArb(route.query ?? []), body: bodyArb(route), contentType, accept,
  }));
  const offRoute = fc.record({
    method: fc.constantFrom(...METHODS), path: fc.array(urlValue, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`), query: queryArb([]),
    body: fc.option(garbageText, { nil: undefined }), contentType, accept,
  });
  return fc.oneof({ weight: 9, arbitrary: onRoute }, { weight: 1, arbitrary: offRoute }).map((r) => {
    const headers: Record<string, string> = {};
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    if (r.accept !== undefined) headers.accept = r.accept;
    const withBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
    return { method: r.method, path: `${r.path || '/'}${r.query}`, headers, ...(withBody ? { body: r.body } : {}) };
  });
}

/** Sends one request; stream answers (event streams, SUBSCRIBE) are cut once their status is known. */
function send(agent: http.Agent, base: URL, r: FuzzRequest): Promise<FuzzResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: number | 'error', body: string) => { if (!settled) { settled = true; resolve({ request: r, status, body }); } };
    let req: http.ClientRequest;
    try {
      req = http.request({ agent, host: base.hostname, port: base.port, method: r.method, path: r.path, headers: { ...r.headers, ...(r.body !== undefined ? { 'content-length': String(Buffer.byteLength(r.body)) } : {}) } }, (res) => {
        const status = res.statusCode ?? 0;
        const type = String(res.headers['content-type'] ?? '');
        if (type.includes('event-stream') || res.headers['mesos-stream-id'] || (status === 200 && /SUBSCRIBE/.test(r.body ?? ''))) {
          res.destroy();
          return done(status, '');
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { if (body.length < 2000) body += c; });
        res.on('end', () => done(status, body));
        res.on('error', () => done(status, body));
        // Anything still open after a while is a stream the checks above did not recognise: its status is what counts.
        setTimeout(() => { res.destroy(); done(status, body); }, 3000).unref();
      });
    } catch (err) {
      // Node refused to build the request (invalid characters): not sent, not a server answer.
      return done(-1, (err as Error).message);
    }
    req.setTimeout(15_000, () => { req.destroy(new Error('no answer in 15 s')); });
    req.on('error', (err) => done('error', err.message));
    req.end(r.body);
  });
}

/** Generates `count` requests from `routes` (seeded) and sends them `concurrency` at a time. */
export async function fuzzRole(url: string, routes: FuzzRoute[], opts: { count?: number; seed?: number; concurrency?: number } = {}): Promise<FuzzResult[]> {
  const count = opts.count ?? FUZZ_REQUESTS;
  const requests = fc.sample(requestArb(routes), { numRuns: count, seed: opts.seed ?? FUZZ_SEED });
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency ?? 16 });
  const base = new URL(url);
  const results: FuzzResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      results.push(await send(agent, base, r));
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker));
  } finally {
    agent.destroy();
  }
  return results;
}

/** Human-readable list of the server errors among the results (for assertion messages). */
export function serverErrors(results: FuzzResult[]): string[] {
  return results.filter((r) => r.status === 'error' || (typeof r.status === 'number' && r.status >= 500))
    .map((r) => `${r.status} ${r.request.method} ${r.request.path.slice(0, 120)} ${JSON.stringify(r.request.headers)} body=${(r.request.body ?? '').slice(0, 200)} → ${r.body.slice(0, 200)}`);
}

/** Resident memory of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
