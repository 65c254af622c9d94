// API client: paths, query strings, error decoding.
import { describe, expect, it } from 'vitest';
import { Api, ApiError, describeError, pairQuery } from '../src/api';
import { FakeHost, candidate, defaultState } from './fake-host';

describe('pairQuery', () => {
  it('omits empty filters and encodes values', () => {
    expect(pairQuery({})).toBe('');
    expect(pairQuery({ status: '', project: '', q: '', minScore: 0 })).toBe('');
    expect(pairQuery({ status: 'pending', project: 'WEB', q: 'a&b c', minScore: 0.5, page: 2, pageSize: 25 })).toBe(
      '?status=pending&project=WEB&q=a%26b+c&minScore=0.5&page=2&pageSize=25',
    );
  });
});

describe('Api', () => {
  it('percent-encodes issue keys in path segments', async () => {
    const host = new FakeHost();
    await new Api(host).similar('WEB/1?x', 5);
    expect(host.calls[0].path).toBe('/api/issues/WEB%2F1%3Fx/similar?limit=5');
    await new Api(host).pairAction('A-1', 'B 2', 'dismiss').catch(() => undefined);
    expect(host.calls[1]).toEqual({ method: 'POST', path: '/api/pairs/A-1/B%202/dismiss', body: undefined });
  });

  it('decodes {"error","message"} into ApiError', async () => {
    const state = defaultState();
    state.admin = false;
    const err = await new Api(new FakeHost(state)).getConfig().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(403);
    expect(err.code).toBe('not_admin');
    expect(describeError(err)).toMatch(/Only Jira administrators/);
  });

  it('keeps a generic message when the error body is not JSON', async () => {
    const host = new FakeHost();
    host.request = async () => new Response('<html>bad gateway</html>', { status: 502 });
    const err = await new Api(host).status().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('http_502');
    expect(err.message).toBe('The server answered 502.');
  });

  it('turns a network failure into a readable error', async () => {
    const host = new FakeHost();
    host.request = async () => {
      throw new TypeError('Failed to fetch');
    };
    const err = await new Api(host).status().catch((e) => e);
    expect(err.code).toBe('network');
    expect(describeError(err)).toMatch(/could not be reached/);
  });

  it('exports CSV with the filters but without paging', async () => {
    const state = defaultState();
    const host = new FakeHost(state);
    state.candidates = [candidate('WEB-2', 0.5)];
    const blob = await new Api(host).pairsCsv({ status: 'pending', project: 'WEB', page: 3, pageSize: 25 });
    expect(host.calls[0].path).toBe('/api/pairs.csv?status=pending&project=WEB');
    expect(await blob.text()).toMatch(/^issue,candidate,score,status/);
  });

  it('sends JSON bodies for PUT and bulk', async () => {
    const host = new FakeHost();
    const api = new Api(host);
    const cfg = { ...host.state.config, threshold: 0.6 };
    expect((await api.putConfig(cfg)).threshold).toBe(0.6);
    await api.bulk('dismiss', [{ issue: 'A-1', candidate: 'B-2' }]);
    expect(host.calls.map((c) => [c.method, c.path])).toEqual([
      ['PUT', '/api/admin/config'],
      ['POST', '/api/pairs/bulk'],
    ]);
    expect(host.calls[1].body).toEqual({ action: 'dismiss', pairs: [{ issue: 'A-1', candidate: 'B-2' }] });
  });
});
