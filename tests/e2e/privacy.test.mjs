// End-to-end: the pair action history (who did what, when) and Atlassian's personal data reporting, Connect over a
// fake Jira serving POST /app/report-accounts/ as documented: actions are recorded and listed for the viewer (only
// pairs whose two issues they may browse), reported at once for a new account, a closed account's id is erased from
// the history and the CSV, an open one stays; uninstall's purge deletes the history. Needs DOPPEL_BIN and
// DOPPEL_TEST_DATABASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from './lib/fake_jira.mjs';
import { InstalledConnectSite } from './lib/permission_roles.mjs';

const ADMIN = '5b10ac8d82e05b22cc7d4e01';
const DEV = '5b10ac8d82e05b22cc7d4e02'; // browses OPEN only; Atlassian answers "closed" for this account

const TEXT = 'Ledger reconciliation hangs when the tachyon buffer overflows during the nightly batch';
const ISSUES = [
  { key: 'OPEN-1', id: 41001, summary: TEXT },
  { key: 'OPEN-2', id: 41002, summary: `${TEXT} again` },
  { key: 'HR-1', id: 41003, summary: `${TEXT} in HR` },
];

const connect = new InstalledConnectSite();
let site;
let target;

const sql = (query) => connect.sql(query);
const as = (sub) => connect.as(sub);
const pair = (action, a, b, who) => site.api(target, 'POST', `/api/pairs/${a}/${b}/${action}`, who);
const history = (who, query = '') => site.api(target, 'GET', `/api/history${query}`, who);
const lines = (response) => (response.json?.items ?? []).map((i) => `${i.issue.key}>${i.candidate.key} ${i.action} by ${i.by}`);
const reportedIds = () => site.accountReports.flatMap((b) => b.accounts.map((a) => a.accountId));
const csv = async (who) => {
  const response = await site.api(target, 'GET', '/api/pairs.csv', who);
  assert.equal(response.status, 200, response.text);
  return response.text;
};

before(async () => {
  assert.ok(process.env.DOPPEL_BIN, 'DOPPEL_BIN must name the built doppel binary');
  ({ site, target } = await connect.start({
    databasePrefix: 'doppel_privacy',
    datasetLimit: 40,
    env: { DOPPEL_RETENTION_DAYS: '0' },
    prepare: (fake) => {
      for (const issue of ISSUES) fake.putIssue({ id: issue.id, key: issue.key, fields: { summary: issue.summary } });
      fake.setPermissions({
        users: {
          [ADMIN]: { browse: '*', link: '*', levels: [], admin: true },
          [DEV]: { browse: ['OPEN'], link: ['OPEN'], levels: [] },
        },
      });
      fake.closedAccounts.add(DEV);
    },
  }));
});

after(() => connect.close());

test('actions are recorded and listed for the viewer; a new account is reported at once', async () => {
  let r = await pair('dismiss', 'HR-1', 'OPEN-1', as(ADMIN));
  assert.equal(r.status, 200, r.text);
  await eventually(() => reportedIds().includes(ADMIN), 'the admin account reported');
  assert.equal(sql(`SELECT count(*) FROM pair_actions WHERE actor_account_id = '${ADMIN}'`), '1');
  // The admin is open: kept in the history, and nothing was erased.
  r = await history(as(ADMIN));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(lines(r), [`HR-1>OPEN-1 dismiss by ${ADMIN}`]);
  assert.match(r.json.items[0].at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  // The developer may not browse HR: the admin's action on the HR pair is not listed for them.
  r = await history(as(DEV));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(lines(r), []);
  assert.equal((await history({ token: connect.anonymousToken() })).status, 401);
  assert.equal((await history(as(ADMIN), '?limit=0')).status, 400);
});

test('a closed account is erased from the history and the CSV; an open one stays', async () => {
  const r = await pair('dismiss', 'OPEN-2', 'OPEN-1', as(DEV));
  assert.equal(r.status, 200, r.text);
  await eventually(() => reportedIds().includes(DEV), 'the developer account reported');
  await eventually(() => sql(`SELECT count(*) FROM pair_actions WHERE actor_account_id = '${DEV}'`) === '0',
    'the closed account erased from the history');
  const page = await history(as(ADMIN));
  assert.deepEqual(lines(page), ['OPEN-2>OPEN-1 dismiss by null', `HR-1>OPEN-1 dismiss by ${ADMIN}`]);
  assert.ok(!page.text.includes(DEV), 'the closed account id is nowhere in the history answer');
  const text = await csv(as(ADMIN));
  assert.ok(text.split('\r\n')[0].endsWith(',last_action,last_action_by,last_action_at'), text.split('\r\n')[0]);
  assert.ok(!text.includes(DEV), 'the closed account id is nowhere in the CSV');
  assert.match(text, /OPEN-2,.*,dismissed,[^,]*,dismiss,erased,\d{4}-/);
  assert.match(text, new RegExp(`HR-1,.*,dismissed,[^,]*,dismiss,${ADMIN},\\d{4}-`));
  assert.equal(sql(`SELECT string_agg(account_id, ',') FROM reported_accounts`), ADMIN, 'inventory: the open account only');
  // Reports as documented: at most 90 accounts each, RFC 3339 times, each account once (its cycle is 7 days).
  for (const body of site.accountReports) {
    assert.ok(body.accounts.length >= 1 && body.accounts.length <= 90);
    for (const a of body.accounts) assert.ok(!Number.isNaN(Date.parse(a.updatedAt)), a.updatedAt);
  }
  assert.equal(reportedIds().filter((id) => id === ADMIN).length, 1, 'the open account is not reported again within its cycle');
  assert.equal(site.rejectedCalls, 0, `Doppel's calls were all correctly signed: ${site.authErrors.join('; ')}`);
});

test('uninstall: the purge deletes the history and the account inventory with the tenant', async () => {
  assert.notEqual(sql(`SELECT count(*) FROM pair_actions`), '0');
  const r = await site.uninstall(target);
  assert.equal(r.status, 204, r.text);
  await eventually(() => sql(`SELECT count(*) FROM tenants`) === '0', 'tenant purged (retention 0 days)');
  assert.equal(sql(`SELECT count(*) FROM pair_actions`), '0');
  assert.equal(sql(`SELECT count(*) FROM reported_accounts`), '0');
});
