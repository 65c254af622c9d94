// The create-dialog hints' state in words (GET /api/admin/stats → createDialogHints): active where, or why not.

export interface CreateDialogHints {
  state: string;
  scope: 'all' | 'projects' | null;
  projects: number;
  contexts: number;
  reason: string | null;
}

const REASONS: Record<string, string> = {
  connect_no_hook: 'Connect apps have no hook in Jira\'s create dialog; install Doppel as a Forge app to get them',
  not_synced: 'Doppel has not registered them with Jira yet',
  no_known_project: 'none of the projects in the project scope exists in Jira',
  no_issue_types: 'Jira listed no issue types',
  forge_token_missing: 'waiting for Forge to send an app system token (open this page again or edit an issue)',
  forge_token_expired: 'waiting for a fresh app system token from Forge',
  forge_token_rejected: 'Jira refused the stored app system token; waiting for a fresh one',
  jira_forbidden: 'Jira refused to register them (403)',
  jira_bad_request: 'Jira refused the request (400)',
  jira_not_found: 'Jira did not find a project or issue type of the scope (404)',
};

const projects = (n: number) => `${n} ${n === 1 ? 'project' : 'projects'}`;

/** "Create-dialog hints: active for all projects" / "… active for 3 projects" / "… not active: <reason>". */
export function describeHints(h: CreateDialogHints | null | undefined): string {
  if (!h || typeof h.state !== 'string') return '';
  const head = 'Create-dialog hints:';
  if (h.state === 'active') return `${head} active for ${h.scope === 'projects' ? projects(h.projects) : 'all projects'}`;
  if (h.state === 'pending') return `${head} being registered with Jira`;
  if (h.state === 'removed') return `${head} not active: removed when the app was uninstalled`;
  const reason = (h.reason && REASONS[h.reason]) || h.reason || h.state;
  return `${head} not active: ${reason}`;
}
