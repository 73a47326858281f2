// Local fake providers for the Integrations journeys, on 127.0.0.1, steered by the test: they
// speak the providers' wire formats as shared/PROVIDERS.md documents them (and as the server's
// own Rust fakes in server/src/fakes/ do): URLs, JSON shapes, status codes, error bodies.
import { createServer } from 'node:http';

async function listen(handler) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const answer = handler(req, url, text);
      const headers = { 'content-type': 'application/json', ...(answer.headers || {}) };
      res.writeHead(answer.status, headers);
      res.end(JSON.stringify(answer.body));
    });
  });
  // Never keep the test process alive.
  server.on('connection', (socket) => socket.unref());
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

function company(id) {
  return { name: `Company ${id}`, domain: `company${id}.example` };
}

/**
 * HubSpot with a private app token: bearer auth, daily usage, `crm/v3/objects/{companies,contacts}`
 * paged with `after`. `acceptToken(t)` is the admin creating a new token in HubSpot (the old one
 * is refused from then on, as a revoked token is).
 */
export async function startHubspot({ token, records = 250, dailyLimit = 250_000 }) {
  const state = { token, used: 0, calls: 0 };
  const error = (status, category, message) => ({
    status,
    body: { status: 'error', message, correlationId: '5b5e4c0a-7d1f-4c55-9f0e-3f1b2a9c0d11', category },
  });
  const invalid = 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';
  const srv = await listen((req, url) => {
    state.calls++;
    const bearer = (req.headers.authorization || '').replace(/^Bearer /i, '');
    if (!bearer || bearer !== state.token) return error(401, 'INVALID_AUTHENTICATION', invalid);
    state.used++;
    const headers = {
      'X-HubSpot-RateLimit-Daily': String(dailyLimit),
      'X-HubSpot-RateLimit-Daily-Remaining': String(dailyLimit - state.used),
      'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
      'X-HubSpot-RateLimit-Max': '100',
      'X-HubSpot-RateLimit-Remaining': '99',
    };
    if (url.pathname === '/account-info/v3/api-usage/daily/private-apps') {
      const midnight = new Date(Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000).toISOString();
      return { status: 200, headers, body: { results: [{ name: 'private-apps-api-calls-daily', usageLimit: dailyLimit, currentUsage: state.used, collectedAt: new Date().toISOString(), fetchStatus: 'SUCCESS', resetsAt: midnight }] } };
    }
    const m = url.pathname.match(/^\/crm\/v3\/objects\/(companies|contacts)$/);
    if (!m) return error(404, 'OBJECT_NOT_FOUND', `Unable to infer object type from: ${url.pathname}`);
    const limit = Number(url.searchParams.get('limit') || 10);
    if (!(limit >= 1 && limit <= 100)) return error(400, 'VALIDATION_ERROR', 'limit must be between 1 and 100');
    const after = Number(url.searchParams.get('after') || 0);
    const last = Math.min(after + limit, records);
    const results = [];
    for (let id = after + 1; id <= last; id++) {
      const { name, domain } = company(id);
      const properties = m[1] === 'companies' ? { name, domain } : { email: `contact${id}@${domain}`, firstname: 'Pat', lastname: `Contact ${id}` };
      results.push({ id: String(id), properties, createdAt: '2026-01-05T10:00:00.000Z', updatedAt: '2026-11-20T10:00:00.000Z', archived: false });
    }
    const body = { results };
    if (last < records) body.paging = { next: { after: String(last), link: `${srv.base}/crm/v3/objects/${m[1]}?after=${last}` } };
    return { status: 200, headers, body };
  });
  return {
    ...srv,
    state,
    /** From now on only `t` is accepted: the old token was revoked in HubSpot. */
    acceptToken(t) { state.token = t; },
  };
}

/**
 * Autotask: zone discovery, the three auth headers, ThresholdInformation counting a rolling
 * window of calls against 10,000 (the call itself included), Companies/Products queries paged by
 * ≤500 with an absolute nextPageUrl, `{"errors": [...]}` bodies. The limit is shared by every
 * integration of the Autotask database: `othersCall(n)` records n calls made by other tools now,
 * which leave the rolling window like any other call.
 */
export async function startAutotask({ username, secret, code, records = 600, limit = 10_000, windowMs = 3_600_000 }) {
  const state = { calls: [] };
  const errors = (status, text) => ({ status, body: { errors: [text] } });
  const inWindow = () => {
    const since = Date.now() - windowMs;
    state.calls = state.calls.filter((t) => t >= since);
    return state.calls.length;
  };
  const srv = await listen((req, url, text) => {
    const path = url.pathname.replace(/^\/atservicesrest\//i, '/ATServicesRest/');
    if (path === '/ATServicesRest/V1.0/zoneInformation') {
      const user = url.searchParams.get('user');
      if (user !== username) return errors(404, `Zone information could not be determined for user '${user}'.`);
      return { status: 200, body: { zoneName: 'America East 2', url: `${srv.base}/ATServicesRest/`, webUrl: `${srv.base}/`, ci: 12345 } };
    }
    const h = req.headers;
    if (h.username !== username || h.secret !== secret || h.apiintegrationcode !== code) {
      return errors(401, 'User authentication failed.');
    }
    if (inWindow() >= limit) {
      return errors(429, 'Request Threshold Exceeded. Usage is blocked until the number of requests in the last 60 minutes drops below the threshold.');
    }
    state.calls.push(Date.now());
    if (path === '/ATServicesRest/V1.0/ThresholdInformation') {
      return { status: 200, body: { externalRequestThreshold: limit, requestThresholdTimeframe: 60, currentTimeframeRequestCount: inWindow() } };
    }
    const m = path.match(/^\/ATServicesRest\/V1\.0\/(Companies|Products)\/query$/);
    if (!m) return errors(404, `Entity '${path}' was not found.`);
    let filter;
    try {
      filter = req.method === 'GET' ? JSON.parse(url.searchParams.get('search') || '{}') : JSON.parse(text || '{}');
    } catch (e) {
      return errors(400, `The request body is not valid JSON: ${e.message}`);
    }
    const after = Number(filter?.filter?.[0]?.value || 0);
    const max = Math.min(Number(filter?.MaxRecords || 500), 500);
    const last = Math.min(after + max, records);
    const items = [];
    for (let id = after + 1; id <= last; id++) {
      const { name, domain } = company(id);
      items.push(m[1] === 'Companies' ? { id, companyName: name, webAddress: `https://www.${domain}` } : { id, name: `Product ${id}` });
    }
    const nextSearch = JSON.stringify({ filter: [{ op: 'gt', field: 'id', value: last }], MaxRecords: max });
    const next = last < records ? `${srv.base}/ATServicesRest/V1.0/${m[1]}/query?search=${encodeURIComponent(nextSearch)}` : null;
    return { status: 200, body: { items, pageDetails: { count: items.length, requestCount: max, prevPageUrl: null, nextPageUrl: next } } };
  });
  return {
    ...srv,
    state,
    used: inWindow,
    /** `n` calls made just now by other integrations of the same Autotask database. */
    othersCall(n) { for (let i = 0; i < n; i++) state.calls.push(Date.now()); },
  };
}
