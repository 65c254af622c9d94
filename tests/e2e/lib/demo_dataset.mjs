// The demo site's issues from the shared Hadoop dataset: the oldest `backfill` issues already in Jira, then a replay
// of later real issues in which real reports of an already-filed problem (a Duplicate link to a loaded issue) recur.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DATASET_PATH } from './fake_jira.mjs';

let rowsCache;
function datasetRows() {
  rowsCache ??= gunzipSync(readFileSync(DATASET_PATH)).toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  return rowsCache;
}

// Keys this issue has a Duplicate link with (either direction), from the dataset's ground truth.
export function duplicateKeysOf(issue) {
  return (issue.fields.issuelinks ?? [])
    .filter((link) => link.type?.name === 'Duplicate')
    .map((link) => (link.inwardIssue ?? link.outwardIssue)?.key)
    .filter(Boolean);
}

// An issue as the site stores it: links stripped (at creation nobody has linked it yet).
function asCreated(issue) {
  const copy = structuredClone(issue);
  delete copy.fields.issuelinks;
  return copy;
}

// { seed: issues already in Jira, replay: [{ issue, duplicateOf: [loaded keys it really duplicates] }] }.
// The seed is the oldest `backfill` issues less those that really duplicate an earlier seed issue: these are held
// back and replayed later, as new issues, with the real later duplicates of seed issues. Every `duplicateEvery`-th
// replayed issue is such a duplicate (while any is left); the others are the issues that follow, in dataset order.
export function demoSlice({ backfill = 500, replay = 50, duplicateEvery = 3 } = {}) {
  const rows = datasetRows();
  const seed = [];
  const laterDuplicates = [];
  const loaded = new Set();
  for (const issue of rows.slice(0, backfill)) {
    if (duplicateKeysOf(issue).some((key) => loaded.has(key))) {
      laterDuplicates.push(issue);
    } else {
      seed.push(issue);
      loaded.add(issue.key);
    }
  }
  laterDuplicates.push(...rows.slice(backfill).filter((issue) => duplicateKeysOf(issue).some((key) => loaded.has(key))));
  const planned = new Set();
  const plan = [];
  let next = backfill;
  while (plan.length < replay) {
    let issue;
    if (plan.length % duplicateEvery === 0) {
      while (laterDuplicates.length && planned.has(laterDuplicates[0].key)) laterDuplicates.shift();
      issue = laterDuplicates.shift();
    }
    if (!issue) {
      while (next < rows.length && planned.has(rows[next].key)) next += 1;
      if (next >= rows.length) break;
      issue = rows[next++];
    }
    const duplicateOf = duplicateKeysOf(issue).filter((key) => loaded.has(key));
    planned.add(issue.key);
    loaded.add(issue.key);
    plan.push({ issue: asCreated(issue), duplicateOf });
  }
  return { seed: seed.map(asCreated), replay: plan };
}
