// Host adapters: Connect token per call, URL context, Forge remote requests, AP discovery.
import { describe, expect, it, vi } from 'vitest';
import { createConnectHost, type ConnectAP } from '../src/host/connect';
import { createForgeHost, toResponse, usesInvokeRemote, type ForgeBridge, type RemoteInvokeResponse } from '../src/host/forge';
import { apiBaseFromPath, contextFromUrl, initialColorMode, jsonInit } from '../src/host/host';
import { waitForAP } from '../src/host/detect';
import { Api, describeError } from '../src/api';

function recordingFetch() {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response('{}', { status: 200 });
  }) as unknown as typeof fetch;
  return { calls, fn };
}

describe('Connect host', () => {
  it('asks AP for a fresh token on every call and sends it as Authorization: JWT', async () => {
    let n = 0;
    const ap: ConnectAP = { context: { getToken: () => Promise.resolve(`tok-${++n}`) } };
    const { calls, fn } = recordingFetch();
    const host = createConnectHost(ap, { apiBase: '/base', search: '?issueKey=WEB-7&jwt=x', fetchFn: fn });
    await host.request('/api/status');
    await host.request('/api/admin/config', { method: 'PUT', body: { a: 1 } });
    expect(calls.map((c) => c.url)).toEqual(['/base/api/status', '/base/api/admin/config']);
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('JWT tok-1');
    expect((calls[1].init.headers as Record<string, string>).Authorization).toBe('JWT tok-2');
    expect(calls[1].init.method).toBe('PUT');
    expect(calls[1].init.body).toBe('{"a":1}');
    expect((calls[1].init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(await host.context()).toEqual({ issueKey: 'WEB-7', issueId: undefined, projectKey: undefined, siteUrl: undefined });
  });

  it('supports the callback form of getToken', async () => {
    const ap: ConnectAP = { context: { getToken: (cb?: (t: string) => void) => void cb?.('cb-token') } };
    const { calls, fn } = recordingFetch();
    await createConnectHost(ap, { apiBase: '', search: '', fetchFn: fn }).request('/api/status');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('JWT cb-token');
  });

  it('fails the request when AP gives no token', async () => {
    const ap: ConnectAP = { context: { getToken: () => Promise.resolve('') } };
    const { calls, fn } = recordingFetch();
    await expect(createConnectHost(ap, { apiBase: '', search: '', fetchFn: fn }).request('/api/status')).rejects.toThrow(/no token/);
    expect(calls).toHaveLength(0);
  });

  it('reports a failing getToken as a token problem, not a network one', async () => {
    const ap: ConnectAP = { context: { getToken: () => Promise.reject(new Error('host not connected')) } };
    const { calls, fn } = recordingFetch();
    const err = await new Api(createConnectHost(ap, { apiBase: '', search: '', fetchFn: fn })).status().catch((e) => e);
    expect(err.code).toBe('no_token');
    expect(describeError(err)).toMatch(/session token/);
    expect(calls).toHaveLength(0);
  });

  it('sizes general pages with AP.env.sizeToParent, as Atlassian’s all.js offers it, or a top-level AP.sizeToParent first', () => {
    const env = { sizeToParent: vi.fn() };
    const realAp: ConnectAP = { context: { getToken: () => Promise.resolve('t') }, resize: vi.fn(), env };
    createConnectHost(realAp, { apiBase: '', search: '', sizing: 'parent' }).resize();
    expect(env.sizeToParent).toHaveBeenCalledTimes(1);
    expect(realAp.resize).not.toHaveBeenCalled();
    createConnectHost(realAp, { apiBase: '', search: '', sizing: 'content' }).resize();
    expect(realAp.resize).toHaveBeenCalledTimes(1);
    expect(env.sizeToParent).toHaveBeenCalledTimes(1);

    const both = { context: { getToken: () => Promise.resolve('t') }, sizeToParent: vi.fn(), env: { sizeToParent: vi.fn() } };
    createConnectHost(both, { apiBase: '', search: '', sizing: 'parent' }).resize();
    expect(both.sizeToParent).toHaveBeenCalledTimes(1);
    expect(both.env.sizeToParent).not.toHaveBeenCalled();

    // Neither (an older host): nothing to call, and no error.
    expect(() => createConnectHost({ context: { getToken: () => Promise.resolve('t') } }, { apiBase: '', search: '', sizing: 'parent' }).resize()).not.toThrow();
  });

  it('uses AP for flags, resizing, navigation, issue events and theming', async () => {
    const ap = {
      context: { getToken: () => Promise.resolve('t') },
      resize: vi.fn(),
      sizeToParent: vi.fn(),
      flag: { create: vi.fn() },
      navigator: { go: vi.fn() },
      events: { on: vi.fn() },
      theming: { initializeTheming: vi.fn() },
    };
    const panel = createConnectHost(ap, { apiBase: '', search: '', sizing: 'content' });
    const page = createConnectHost(ap, { apiBase: '', search: '', sizing: 'parent' });
    panel.resize();
    page.resize();
    expect(ap.resize).toHaveBeenCalledTimes(1);
    expect(ap.sizeToParent).toHaveBeenCalledTimes(1);
    panel.flag('success', 'Linked', 'A-1 and B-2');
    expect(ap.flag.create).toHaveBeenCalledWith({ title: 'Linked', body: 'A-1 and B-2', type: 'success', close: 'auto' });
    panel.openIssue('B-2', 'https://x/browse/B-2');
    expect(ap.navigator.go).toHaveBeenCalledWith('issue', { issueKey: 'B-2' });
    const cb = vi.fn();
    panel.onIssueChanged(cb);
    expect(ap.events.on.mock.calls[0][0]).toBe('ISSUE_CHANGED');
    ap.events.on.mock.calls[0][1]();
    expect(cb).toHaveBeenCalledOnce();
    await panel.initTheme();
    expect(ap.theming.initializeTheming).toHaveBeenCalledOnce();
  });
});

describe('Forge host', () => {
  it('sends requests through requestRemote with the path and reads context from getContext', async () => {
    const seen: { key: string; opts: RequestInit & { path: string } }[] = [];
    const bridge: ForgeBridge = {
      requestRemote: async (key, opts) => {
        seen.push({ key, opts });
        return new Response('{"ok":true}', { status: 200 });
      },
      view: { getContext: async () => ({ extension: { issue: { key: 'OPS-3', id: '1003' }, project: { key: 'OPS' } } }) },
      showFlag: vi.fn(),
    };
    const host = createForgeHost(bridge);
    const res = await host.request('/api/pairs/OPS-3/OPS-1/link', { method: 'POST' });
    expect(res.ok).toBe(true);
    expect(seen[0].key).toBe('doppel');
    expect(seen[0].opts.path).toBe('/api/pairs/OPS-3/OPS-1/link');
    expect(seen[0].opts.method).toBe('POST');
    expect((seen[0].opts.headers as Record<string, string>).Authorization).toBeUndefined();
    expect(await host.context()).toEqual({ issueKey: 'OPS-3', issueId: '1003', projectKey: 'OPS', siteUrl: undefined });
    host.flag('error', 'Oops');
    expect(bridge.showFlag).toHaveBeenCalledWith(expect.objectContaining({ title: 'Oops', type: 'error' }));
  });
});

describe('Forge host writes', () => {
  it('sends writes and admin calls through invokeRemote (app system token) and reads through requestRemote', async () => {
    const remote: string[] = [];
    const invoked: { path: string; method: string; headers?: Record<string, string>; body?: unknown }[] = [];
    const bridge: ForgeBridge = {
      requestRemote: async (_key, opts) => {
        remote.push(`${opts.method} ${opts.path}`);
        return new Response('{"candidates":[]}', { status: 200 });
      },
      invokeRemote: async (input): Promise<RemoteInvokeResponse> => {
        invoked.push(input);
        if (input.path === '/api/admin/config') return { status: 403, headers: { 'content-type': ['application/json'] }, body: { error: 'not_admin', message: 'no' } };
        return { status: 200, headers: {}, body: { status: 'dismissed' } };
      },
    };
    const host = createForgeHost(bridge);
    expect((await host.request('/api/issues/OPS-3/similar')).status).toBe(200);
    const dismissed = await host.request('/api/pairs/OPS-3/OPS-1/dismiss', { method: 'POST' });
    expect(await dismissed.json()).toEqual({ status: 'dismissed' });
    await host.request('/api/pairs/bulk', { method: 'POST', body: { action: 'dismiss', pairs: [] } });
    const denied = await host.request('/api/admin/config');
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ error: 'not_admin', message: 'no' });
    expect(remote).toEqual(['GET /api/issues/OPS-3/similar']);
    expect(invoked.map((i) => `${i.method} ${i.path}`)).toEqual(['POST /api/pairs/OPS-3/OPS-1/dismiss', 'POST /api/pairs/bulk', 'GET /api/admin/config']);
    expect(invoked[1].body).toEqual({ action: 'dismiss', pairs: [] });
    expect(invoked[0].body).toBeUndefined();
  });

  it('maps invokeRemote answers onto fetch Responses', async () => {
    expect(usesInvokeRemote('/api/status')).toBe(false);
    expect(usesInvokeRemote('/api/admin/stats')).toBe(true);
    expect(usesInvokeRemote('/api/pairs/A-1/A-2/link', { method: 'POST' })).toBe(true);
    expect(toResponse({ status: 204, headers: {} }).status).toBe(204);
    expect(toResponse({ status: 0 } as never).status).toBe(502);
    const csv = toResponse({ status: 200, headers: { 'content-type': ['text/csv'] }, body: 'a,b' });
    expect(await csv.text()).toBe('a,b');
    expect(csv.headers.get('content-type')).toBe('text/csv');
  });
});

describe('URL helpers', () => {
  it('reads the issue context from the iframe query', () => {
    expect(contextFromUrl('?issueKey=WEB-1&issueId=10001&projectKey=WEB&xdm_e=https%3A%2F%2Facme.atlassian.net&jwt=abc')).toEqual({
      issueKey: 'WEB-1',
      issueId: '10001',
      projectKey: 'WEB',
      siteUrl: 'https://acme.atlassian.net',
    });
    expect(contextFromUrl('?xdm_e=javascript%3Aalert(1)').siteUrl).toBeUndefined();
    expect(contextFromUrl('?xdm_e=https%3A%2F%2Fa.net%2Fx%22').siteUrl).toBeUndefined();
  });
  it('derives the API base from the page path', () => {
    expect(apiBaseFromPath('/pages/panel')).toBe('');
    expect(apiBaseFromPath('/doppel/pages/dashboard')).toBe('/doppel');
    expect(apiBaseFromPath('/static/panel.html')).toBe('');
  });
  it('honours ?theme= before the host answers', () => {
    expect(initialColorMode('?theme=dark')).toBe('dark');
    expect(initialColorMode('?theme=light')).toBe('light');
  });
  it('never sends cookies', () => {
    expect(jsonInit(undefined, {}).credentials).toBe('omit');
  });
});

describe('waitForAP', () => {
  it('returns null at once when all.js is not on the page', async () => {
    expect(await waitForAP(window, 50)).toBeNull();
  });
  it('resolves with AP once all.js has loaded', async () => {
    const script = document.createElement('script');
    script.setAttribute('src', 'https://connect-cdn.atl-paas.net/all.js');
    document.head.appendChild(script);
    const pending = waitForAP(window, 60000);
    const ap = { context: { getToken: () => Promise.resolve('t') } };
    window.AP = ap;
    script.dispatchEvent(new Event('load'));
    expect(await pending).toBe(ap);
    delete window.AP;
    script.remove();
  });
});
