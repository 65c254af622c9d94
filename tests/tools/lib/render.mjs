// Renders the Connect descriptor template the way the server does: two plain string substitutions.
export const PLACEHOLDERS = ['{{baseUrl}}', '{{appKey}}'];

// Returns the descriptor text for one base URL and app key (both already JSON-safe).
export function renderDescriptor(template, { baseUrl, appKey }) {
  return template.replaceAll('{{baseUrl}}', baseUrl).replaceAll('{{appKey}}', appKey);
}

// Lists every `{{…}}` placeholder the template uses, so unknown ones can be reported.
export function placeholdersIn(template) {
  return [...new Set(template.match(/\{\{[^{}]*\}\}/g) ?? [])];
}
