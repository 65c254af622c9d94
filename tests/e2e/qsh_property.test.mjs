// Property test: our qsh canonicaliser against Atlassian's own npm atlassian-jwt on random requests.
// Ours is reached through `$DOPPEL_BIN qsh METHOD URL [BASEURL]` (prints canonical and qsh on two lines);
// when the binary lacks that subcommand, tests/fuzz/qsh_cli.cpp (same interface) is compiled and used.
//
// Documented deviations handled explicitly (platform doc §4 is the contract, atlassian-jwt the peer):
//  - parameter names sort by the bytes of their *encoded* form (doc §4, Java); atlassian-jwt sorts decoded
//    names, so its query parts are re-sorted by encoded name before comparing;
//  - the base path is stripped segment-wise from the raw path; atlassian-jwt strips a plain prefix and
//    jsuri decodes the base path, so generated base paths are whole, unencoded leading segments of the
//    path (or share no prefix at all); a base with a trailing '/' is only used when the path goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jwt from 'atlassian-jwt';

const here = path.dirname(fileURLToPath(import.meta.url));
const sourceDir = process.env.DOPPEL_SOURCE_DIR ?? path.resolve(here, '../..');
const sharedDir = process.env.DOPPEL_SHARED_DIR ?? path.resolve(sourceDir, '../shared');
const CASES = Number(process.env.QSH_PROPERTY_CASES ?? 400);
const SEED = Number(process.env.QSH_PROPERTY_SEED ?? 20260422);

function ours() {
  const bin = process.env.DOPPEL_BIN;
  if (bin && existsSync(bin)) {
    const probe = spawnSync(bin, ['qsh', 'GET', '/probe?a=1'], { encoding: 'utf8', timeout: 10000 });
    const lines = (probe.stdout ?? '').split('\n');
    if (probe.status === 0 && /^[0-9a-f]{64}$/.test(lines[1] ?? '')) return { cmd: bin, prefix: ['qsh'], how: 'doppel qsh' };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'doppel-qsh-'));
  const exe = path.join(dir, 'qsh_cli');
  execFileSync(process.env.CXX ?? 'c++', [
    '-std=c++20', '-O1', '-I', path.join(sourceDir, 'server/src'),
    path.join(sourceDir, 'tests/fuzz/qsh_cli.cpp'), path.join(sourceDir, 'server/src/auth/qsh.cpp'),
    path.join(sourceDir, 'server/src/util/encoding.cpp'), '-lcrypto', '-o', exe,
  ], { stdio: 'inherit' });
  return { cmd: exe, prefix: [], how: 'tests/fuzz/qsh_cli' };
}

const impl = ours();

function oursCanonical(method, url, baseUrl) {
  const args = [...impl.prefix, method, url];
  if (baseUrl) args.push(baseUrl);
  const r = spawnSync(impl.cmd, args, { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 0, `${impl.how} failed: ${r.stderr}`);
  const [canonical, qsh] = r.stdout.split('\n');
  return { canonical, qsh };
}

function reference(method, url, baseUrl) {
  const req = jwt.fromMethodAndUrl(method, url);
  return jwt.createCanonicalRequest(req, false, baseUrl ?? '');
}

// Doc §4 sorts names by their encoded bytes; atlassian-jwt by decoded name. Re-sort its query part.
function sortByEncodedName(canonical) {
  const first = canonical.indexOf('&');
  const second = canonical.indexOf('&', first + 1);
  const head = canonical.slice(0, second + 1);
  const query = canonical.slice(second + 1);
  if (!query) return canonical;
  const parts = query.split('&');
  const name = (p) => p.slice(0, p.indexOf('='));
  parts.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  return head + parts.join('&');
}

const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');

// Deterministic PRNG (mulberry32) so a failure can be replayed with QSH_PROPERTY_SEED.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(SEED);
const pick = (arr) => arr[Math.floor(rand() * arr.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

const pctByte = () => '%' + int(0, 255).toString(16).toUpperCase().padStart(2, '0');
const pctUtf8 = (ch) => Array.from(Buffer.from(ch, 'utf8'), (b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
const unicode = ['é', '€', '宮', '崎', 'ü', 'ß', '😀', 'Ω'];

// A raw query token (name or value) as a browser or Jira might send it.
function queryToken(allowEmpty) {
  const n = int(allowEmpty ? 0 : 1, 8);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.45) s += pick('abcxyzABCXYZ0129-._~'.split(''));
    else if (r < 0.55) s += '+';
    else if (r < 0.62) s += pick(['*', '!', '(', ')', ',', ':', '/', '@', ';', '$']);
    else if (r < 0.75) s += pctUtf8(pick([' ', '&', '=', '+', '#', '%', '?', '/', '~', '*', '"', ',']));
    else if (r < 0.88) s += pctUtf8(pick(unicode));
    else if (r < 0.95) s += pctByte().toLowerCase().replace('%', '%');
    else s += pick(['%', '%z', '%E2%82', '%C3']);  // broken escapes / truncated UTF-8
  }
  return s;
}

function segment() {
  if (rand() < 0.5) return Array.from({ length: int(1, 6) }, () => pick('abcdefXYZ0189-._~'.split(''))).join('');
  const n = int(1, 6);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.7) s += pick('abcdefXYZ0189-._~'.split(''));
    else if (r < 0.8) s += pick(['!', '$', '&', '(', ')', '*', '+', ',', ';', '=', ':', '@']);
    else s += pctUtf8(pick([' ', 'é', '€', '/', '?', '#', '%', '&']));
  }
  return s;
}

function randomRequest() {
  const segs = Array.from({ length: int(0, 4) }, segment);
  let p = '/' + segs.join('/');
  if (segs.length && rand() < 0.2) p += '/';
  let baseUrl;
  const b = rand();
  // jsuri (used by atlassian-jwt for the base URL) decodes the base path, so base paths stay plain.
  const plain = (seg) => /^[A-Za-z0-9._~-]+$/.test(seg);
  let k = 0;
  while (k < segs.length && plain(segs[k])) k++;
  if (b < 0.3 && k >= 1) {
    k = int(1, k);
    // A base with a trailing '/' equal to the whole path is stripped by us ("/"), not by atlassian-jwt.
    const slash = k < segs.length && rand() < 0.3 ? '/' : '';
    baseUrl = 'https://app.example.com/' + segs.slice(0, k).join('/') + slash;
  } else if (b < 0.4) {
    baseUrl = 'https://app.example.com/zz-unrelated-base';
    if (p.startsWith('/zz-unrelated-base')) baseUrl = undefined;
  } else if (b < 0.5) {
    baseUrl = 'https://app.example.com';
  }
  const params = [];
  const count = int(0, 6);
  for (let i = 0; i < count; i++) {
    const name = rand() < 0.25 && params.length ? params[int(0, params.length - 1)][0] : rand() < 0.08 ? 'jwt' : queryToken(false);
    if (name === '__proto__') continue;
    if (rand() < 0.1) params.push([name, null]);
    else params.push([name, queryToken(true)]);
  }
  let url = p;
  if (params.length || rand() < 0.1) url += '?' + params.map(([n, v]) => (v === null ? n : `${n}=${v}`)).join('&');
  const method = pick(['GET', 'get', 'POST', 'Put', 'DELETE']);
  return { method, url, baseUrl };
}

test('reference peer reproduces the shared atlassian-jwt vectors, and so do we', () => {
  const doc = JSON.parse(readFileSync(path.join(sharedDir, 'conformance/qsh-atlassian-jwt.json'), 'utf8'));
  assert.ok(doc.cases.length >= 20);
  for (const c of doc.cases) {
    const ref = reference(c.method, c.url, c.baseUrl);
    assert.equal(ref, c.canonical, `atlassian-jwt on ${c.url}`);
    const got = oursCanonical(c.method, c.url, c.baseUrl);
    assert.equal(got.canonical, c.canonical, `ours on ${c.url}`);
    assert.equal(got.qsh, c.qsh);
  }
});

test(`random requests: ours == atlassian-jwt (${CASES} cases, seed ${SEED}, via ${impl.how})`, () => {
  let resorted = 0;
  let withBase = 0;
  for (let i = 0; i < CASES; i++) {
    const { method, url, baseUrl } = randomRequest();
    const ref = reference(method, url, baseUrl);
    const expected = sortByEncodedName(ref);
    if (expected !== ref) resorted++;
    if (baseUrl) withBase++;
    const got = oursCanonical(method, url, baseUrl);
    assert.equal(got.canonical, expected, `case ${i}: ${method} ${url} base=${baseUrl ?? ''}`);
    assert.equal(got.qsh, sha256(expected));
    if (expected === ref) assert.equal(got.qsh, jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, url), false, baseUrl ?? ''));
  }
  // The generator must actually exercise base paths and the name-order deviation.
  assert.ok(withBase > CASES / 10, `only ${withBase} cases with a base URL`);
  console.log(`qsh property: ${CASES} cases, ${withBase} with base URL, ${resorted} re-sorted by encoded name`);
});

test('a request signed by atlassian-jwt carries the qsh we compute', () => {
  for (let i = 0; i < 50; i++) {
    const { method, url } = randomRequest();
    const req = jwt.fromMethodAndUrl(method, url);
    const token = jwt.encodeSymmetric({ iss: 'tenant', qsh: jwt.createQueryStringHash(req, false, '') }, 'secret');
    const claims = jwt.decodeSymmetric(token, 'secret', jwt.SymmetricAlgorithm.HS256);
    const expected = sha256(sortByEncodedName(reference(method, url)));
    if (sortByEncodedName(reference(method, url)) === reference(method, url)) {
      assert.equal(oursCanonical(method, url).qsh, claims.qsh);
    } else {
      assert.equal(oursCanonical(method, url).qsh, expected);
    }
  }
});
