// A fake Forge platform for end-to-end tests: one installation's ids, the FIT signing key behind a JWKS (and Connect
// install keys) on loopback, the Jira site behind apiBaseUrl (FakeJira in Forge mode), FITs, app system tokens that
// site accepts, lifecycle events, Forge-style calls to Doppel, and a Doppel started for the platform.
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabaseUrl, psql, startDoppel } from './doppel.mjs';
import { FakeJira, eventually, signJwt } from './fake_jira.mjs';

export const FIT_ISSUER = 'forge/invocation-token';
export const FORGE_KID = 'forge-e2e-key-1';
const nowSeconds = () => Math.floor(Date.now() / 1000);

// One request to Doppel at `target.url` as Forge makes it: `token` in Authorization (`scheme` Bearer unless given),
// a JSON body; answers {status, json, text}.
export async function forgeCall(target, method, path, { token, scheme = 'Bearer', body, headers = {} } = {}) {
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `${scheme} ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: response.status, json, text };
}

export class ForgeSite {
  // siteUrl: every FIT's context.siteUrl; uiModuleType: the module type in FITs of UI modules (keys not "doppel-…").
  constructor({ siteUrl, uiModuleType = 'jira:issueContext' }) {
    this.appId = `ari:cloud:ecosystem::app/${crypto.randomUUID()}`;
    this.cloudId = crypto.randomUUID();
    this.installationId = `ari:cloud:ecosystem::installation/${crypto.randomUUID()}`;
    this.environmentId = `ari:cloud:ecosystem::environment/${crypto.randomUUID()}`;
    this.siteUrl = siteUrl;
    this.uiModuleType = uiModuleType;
    this.keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }); // signs FITs; public half in the JWKS
    this.systemTokenKeys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.installKeys = new Map(); // kid -> public PEM served under /connect-install-keys/ (Connect installs)
    this.issuedTokens = []; // every system token issued (for leak checks)
    this.site = new FakeJira({ forge: true, basePath: `/ex/jira/${this.cloudId}` });
    this.url = ''; // the platform server, once started
    this.server = createServer((req, res) => {
      const path = new URL(req.url, 'http://platform').pathname;
      const send = (status, body, type = 'application/json') => {
        res.writeHead(status, { 'content-type': type });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (path === '/.well-known/jwks.json') {
        return send(200, { keys: [{ ...this.keys.publicKey.export({ format: 'jwk' }), kid: FORGE_KID, alg: 'RS256', use: 'sig' }] });
      }
      const installKey = path.startsWith('/connect-install-keys/') && this.installKeys.get(path.slice('/connect-install-keys/'.length));
      if (installKey) return send(200, installKey, 'text/plain');
      return send(404, 'not found', 'text/plain');
    });
  }

  // Starts the platform server and the site.
  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    await this.site.start();
    return this;
  }

  // Doppel's settings for this platform.
  doppelEnv() {
    return {
      DOPPEL_FORGE_APP_ID: this.appId,
      DOPPEL_FORGE_JWKS_URL: `${this.url}/.well-known/jwks.json`,
      DOPPEL_INSTALL_KEYS_URL: `${this.url}/connect-install-keys`,
      DOPPEL_ALLOWED_HOSTS: '*.atlassian.net,127.0.0.1:*',
    };
  }

  // A Forge Invocation Token as the platform sends it from `moduleKey`; `principal` only on UI calls; another
  // installation and its site by `installationId` and `site`; `overrides` replaces claims, `header` the JOSE header.
  fit({ moduleKey = 'doppel-issue-events', principal, installationId = this.installationId, site = this.site, overrides = {},
    header = {}, key = this.keys.privateKey } = {}) {
    const iat = nowSeconds();
    const claims = {
      iss: FIT_ISSUER, aud: this.appId, iat, nbf: iat, exp: iat + 60, jti: crypto.randomUUID(),
      app: {
        installationId, apiBaseUrl: site.baseUrl, id: this.appId, appVersion: '1.0.0',
        environment: { type: 'DEVELOPMENT', id: this.environmentId },
        module: { type: moduleKey.startsWith('doppel-') ? 'core:endpoint' : this.uiModuleType, key: moduleKey },
      },
      context: { cloudId: this.cloudId, siteUrl: this.siteUrl },
      ...(principal ? { principal } : {}),
      ...overrides,
    };
    return signJwt({ alg: 'RS256', typ: 'JWT', kid: FORGE_KID, ...header }, claims, key);
  }

  // An app system token as Forge puts it in x-forge-oauth-system: a JWT whose exp is its expiry. `site` accepts it
  // from now on (until revoked or expired).
  systemToken({ expiresIn = 3600, site = this.site } = {}) {
    const iat = nowSeconds();
    const token = signJwt({ alg: 'RS256', typ: 'JWT', kid: 'system-token-key' },
      { iss: 'forge-oauth', sub: 'app-system-user', aud: this.cloudId, iat, exp: iat + expiresIn, jti: crypto.randomUUID() },
      this.systemTokenKeys.privateKey);
    site.bearerTokens.add(token);
    this.issuedTokens.push(token);
    return token;
  }

  // A lifecycle event (avi:forge:installed:app, …) of this installation, installed by `installerAccountId`.
  lifecycleEvent(eventType, installerAccountId) {
    return {
      eventType, id: this.installationId, installerAccountId, app: { id: this.appId, version: '1.0.0' },
      environment: { id: this.environmentId }, context: { cloudId: this.cloudId, moduleKey: 'doppel-app-lifecycle' },
    };
  }

  // Delivers `event` to Doppel at `target` as Forge does: POST /api/forge/events with a FIT of the event's module and
  // an app system token (a fresh one unless given; '' sends none).
  deliver(target, event, { installationId = this.installationId, token = this.fit({ moduleKey: event.context.moduleKey, installationId }),
    systemToken = this.systemToken() } = {}) {
    const headers = systemToken ? { 'x-forge-oauth-system': systemToken } : {};
    return forgeCall(target, 'POST', '/api/forge/events', { token, body: event, headers });
  }

  // Starts `doppel serve` for this platform on a fresh database (named from `databasePrefix`) and data directory.
  async startDoppel(databasePrefix) {
    this.databaseUrl = freshDatabaseUrl(databasePrefix);
    this.dataDir = mkdtempSync(join(tmpdir(), `${databasePrefix}-`));
    this.doppel = await startDoppel({
      DOPPEL_BIND: '127.0.0.1',
      DOPPEL_DATA_DIR: this.dataDir,
      DOPPEL_DATABASE_URL: this.databaseUrl,
      DOPPEL_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      ...this.doppelEnv(),
    });
    return this.doppel;
  }

  // Resolves once the installation's backfill is done (Doppel started by startDoppel).
  backfillDone() {
    return eventually(() => psql(this.databaseUrl, `SELECT state FROM backfill_progress WHERE tenant_id = '${this.installationId}'`) === 'done',
      'backfill done', { timeoutMs: 90_000 });
  }

  // Stops what start and startDoppel started; drops the database and removes the data directory.
  async close() {
    await this.doppel?.stop('SIGKILL');
    await this.site.close();
    await new Promise((resolve) => this.server.close(resolve));
    if (this.databaseUrl) psql(process.env.DOPPEL_TEST_DATABASE_URL, `DROP DATABASE IF EXISTS ${new URL(this.databaseUrl).pathname.slice(1)} WITH (FORCE)`);
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
