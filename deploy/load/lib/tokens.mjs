// Signs the requests Jira would send: RS256 install tokens, HS256 webhook tokens (computed qsh), context tokens.
import * as jwt from "atlassian-jwt";

const now_s = () => Math.floor(Date.now() / 1000);

// qsh of METHOD + URL (path and query) relative to the app's base URL, as Atlassian computes it.
export function qsh(method, url, base_url) {
  return jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, url), false, base_url);
}

// RS256 token for POST /lifecycle/installed (or uninstalled), signed by the fake Atlassian install key.
export function install_token({ client_key, app_base_url, path, private_key_pem, kid }) {
  const iat = now_s();
  const payload = { iss: client_key, aud: app_base_url, iat, exp: iat + 180, qsh: qsh("POST", path, app_base_url) };
  return jwt.encodeAsymmetric(payload, private_key_pem, jwt.AsymmetricAlgorithm.RS256, { kid });
}

// HS256 token with a computed qsh, as Jira signs webhooks and lifecycle callbacks.
export function request_token({ client_key, shared_secret, method, url, app_base_url }) {
  const iat = now_s();
  return jwt.encodeSymmetric({ iss: client_key, iat, exp: iat + 180, qsh: qsh(method, url, app_base_url) },
                             shared_secret, jwt.SymmetricAlgorithm.HS256);
}

// HS256 context token (qsh "context-qsh") as AP.context.getToken() hands to the panel's XHR calls; issue_key
// undefined = a page that names no issue (the dashboard).
export function context_token({ client_key, shared_secret, account_id, issue_key, project_key }) {
  const iat = now_s();
  const payload = {
    iss: client_key, sub: account_id, iat, exp: iat + 900, qsh: "context-qsh",
    context: { jira: { ...(issue_key ? { issue: { key: issue_key } } : {}), project: { key: project_key } } },
  };
  return jwt.encodeSymmetric(payload, shared_secret, jwt.SymmetricAlgorithm.HS256);
}
