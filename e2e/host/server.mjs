// A stand-in for somebody else's site, for the host-page tests: it serves test pages (with the
// headers a school's server might send: a Content-Security-Policy, none of ours) and passes every
// other request through to the mock backend, so the pages, the API and the bundle share one
// origin as on a real site. It can also play a CDN (the bundle alone, on its own origin, with or
// without CORS headers) and a slow link (each response held back by the latency, then sent at the
// given rate).
import { createServer, request as httpRequest } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, extname } from 'node:path';

/** @type {Record<string, string>} */
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.html': 'text/html; charset=utf-8' };

/**
 * Starts a server on a free loopback port. Options:
 * - `mock`: base URL of the mock backend to pass requests through to;
 * - `pages`: { '/path.html': html, '/x.css': { type, body } }, served with `headers`;
 * - `headers`: extra headers for the pages (e.g. a CSP);
 * - `dist`: a directory to serve files from directly instead (the CDN);
 * - `cors`: send `Access-Control-Allow-Origin: *` with those files;
 * - `slow`: { latencyMs, kbps, match: RegExp } for matching paths.
 * Resolves to { base, close() }; `requests` lists the paths asked for.
 * @param {{
 *   mock?: string,
 *   pages?: Record<string, string | { type?: string, body: string }>,
 *   headers?: Record<string, string>,
 *   dist?: string,
 *   cors?: boolean,
 *   slow?: { latencyMs: number, kbps: number, match: RegExp },
 * }} [opts]
 */
export async function startHost({ mock, pages = {}, headers = {}, dist, cors = false, slow } = {}) {
  /** @type {string[]} */
  const requests = [];
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    const throttled = slow && slow.match.test(path) ? slow : null;
    if (throttled) await new Promise((r) => setTimeout(r, throttled.latencyMs));
    /**
     * @param {number} status
     * @param {import('node:http').OutgoingHttpHeaders} head
     * @param {Buffer} body
     */
    const send = (status, head, body) => {
      res.writeHead(status, head);
      if (!throttled || !body.length) {
        res.end(body);
        return;
      }
      // kbps kilobits per second, in 50 ms slices.
      const slice = Math.max(1, Math.round((throttled.kbps * 1000) / 8 / 20));
      let at = 0;
      const tick = () => {
        if (res.destroyed) return;
        res.write(body.subarray(at, at + slice));
        at += slice;
        if (at < body.length) setTimeout(tick, 50); else res.end();
      };
      tick();
    };
    if (path === '/favicon.ico') return send(204, {}, Buffer.alloc(0));
    const page = pages[path];
    if (page !== undefined) {
      const { type = 'text/html; charset=utf-8', body } = typeof page === 'string' ? { body: page } : page;
      return send(200, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers }, Buffer.from(body));
    }
    if (dist) {
      const file = join(dist, path);
      const head = { 'Cache-Control': 'no-store', ...(cors ? { 'Access-Control-Allow-Origin': '*' } : {}) };
      if (!file.startsWith(dist) || !existsSync(file)) return send(404, { ...head, 'Content-Type': 'text/plain' }, Buffer.from('not found'));
      return send(200, { ...head, 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' }, readFileSync(file));
    }
    if (!mock) return send(502, { 'Content-Type': 'text/plain' }, Buffer.from('no mock backend to pass requests to'));
    // Through to the mock, whole (bodies are small), so the throttle can pace the answer.
    /** @type {Buffer} */
    const body = await new Promise((r) => {
      /** @type {Buffer[]} */
      const parts = [];
      req.on('data', (d) => parts.push(d));
      req.on('end', () => r(Buffer.concat(parts)));
    });
    const target = new URL(req.url ?? '/', mock);
    // The page's origin stands in for the mock's own, as on a real site where both are one: the
    // mock builds its download links from the Host header, so they lead here too.
    const hdrs = { ...req.headers };
    delete hdrs.origin;
    delete hdrs['accept-encoding'];
    const up = httpRequest(target, { method: req.method, headers: hdrs }, (r) => {
      /** @type {Buffer[]} */
      const parts = [];
      r.on('data', (d) => parts.push(d));
      r.on('end', () => {
        const head = { ...r.headers };
        delete head['content-length'];
        delete head['transfer-encoding'];
        send(r.statusCode ?? 502, head, Buffer.concat(parts));
      });
    });
    up.on('error', (e) => send(502, { 'Content-Type': 'text/plain' }, Buffer.from(String(e))));
    up.end(body);
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`the host server listens at ${address}`);
  const base = `http://127.0.0.1:${address.port}`;
  return {
    base,
    requests,
    /** @returns {Promise<void>} */
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
