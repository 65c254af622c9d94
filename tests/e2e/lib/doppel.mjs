// Helpers for end-to-end tests: start the real `doppel serve` on port 0, fresh databases, raw HTTP.
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import readline from 'node:readline';

export const DOPPEL_BIN = process.env.DOPPEL_BIN;
export const ADMIN_DB_URL = process.env.DOPPEL_TEST_DATABASE_URL;

// Creates an empty database on the test server and returns its URL (migrations are applied by doppel).
export function freshDatabaseUrl(prefix = 'doppel_e2e') {
  if (!ADMIN_DB_URL) throw new Error('DOPPEL_TEST_DATABASE_URL is not set: run through deploy/test.sh');
  const name = `${prefix}_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  execFileSync('psql', [ADMIN_DB_URL, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`]);
  const url = new URL(ADMIN_DB_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export function psql(dbUrl, sql) {
  return execFileSync('psql', [dbUrl, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' }).trim();
}

// Starts `doppel serve`; resolves once it logs "listening" with its port. env adds to/overrides the defaults.
export async function startDoppel(env = {}, { timeoutMs = 90_000 } = {}) {
  const child = spawn(DOPPEL_BIN, ['serve'], {
    env: { PATH: process.env.PATH, DOPPEL_PORT: '0', DOPPEL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`doppel did not start in time; stderr: ${stderr}`)), timeoutMs);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      let entry;
      try { entry = JSON.parse(line); } catch { return; }
      logs.push(entry);
      if (entry.msg === 'listening') { clearTimeout(timer); resolve(entry.port); }
    });
    exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`doppel exited early (${code}): ${stderr}`)); });
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    logs,
    child,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

// Sends raw bytes and collects the whole reply until the server closes (or timeoutMs).
export function rawRequest(port, chunks, { timeoutMs = 10_000, gapMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { socket.destroy(); resolve({ data, closed: false }); }, timeoutMs);
    socket.on('data', (d) => { data += d; });
    socket.on('close', () => { clearTimeout(timer); resolve({ data, closed: true }); });
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
    socket.on('connect', async () => {
      for (const c of [].concat(chunks)) {
        socket.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

export function statusOf(rawReply) {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(rawReply);
  return m ? Number(m[1]) : 0;
}
