// Parses the route table of docs/http-api.md into {methods, path, pattern, queryNames, auth} entries.
import { readFileSync } from 'node:fs';

const METHOD_CELL = /^(GET|POST|PUT|DELETE|PATCH)(\/(GET|POST|PUT|DELETE|PATCH))*$/;

// Turns a documented path such as `/api/issues/{issueKey}/similar` into an anchored RegExp.
function pathPattern(path) {
  const escaped = path
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}$`);
}

// Reads every `| METHOD | `path`[, `path`…] | auth | … |` row; one entry per documented path.
export function parseRoutes(markdownFile) {
  const routes = [];
  for (const line of readFileSync(markdownFile, 'utf8').split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    if (cells.length < 3 || !METHOD_CELL.test(cells[0])) continue;
    const methods = cells[0].split('/');
    const auth = cells[2];
    for (const [, documented] of cells[1].matchAll(/`([^`]+)`/g)) {
      const [path, query = ''] = documented.split('?');
      const queryNames = query
        .split('&')
        .filter(Boolean)
        .map((pair) => pair.split('=')[0]);
      routes.push({ methods, path, pattern: pathPattern(path), queryNames, auth });
    }
  }
  return routes;
}

// Finds the route serving `method url` (url relative to the base URL, query ignored), or undefined.
export function findRoute(routes, method, url) {
  const path = url.split('?')[0];
  return routes.find((route) => route.methods.includes(method) && route.pattern.test(path));
}
