// One fetch and its body as text (src/driver/transport.rs): resolves to [status, Retry-After,
// body], the body undefined when it passed `limit` bytes; rejects (an Error) when no answer came.
// `headers` is [name, value, name, value, …]; a body goes as JSON. The page's cookies go along to
// same-origin endpoints (fetch's default).
/**
 * @param {string} url
 * @param {string} method
 * @param {string[]} headers
 * @param {string | undefined} body
 * @param {AbortSignal | undefined} signal
 * @param {number} limit
 * @returns {Promise<[number, string | null, string | undefined]>}
 */
export async function fetchText(url, method, headers, body, signal, limit) {
  const h = new Headers();
  for (let i = 0; i < headers.length; i += 2) h.append(headers[i], headers[i + 1]);
  if (body != null) h.append('Content-Type', 'application/json');
  const r = await fetch(url, { method, headers: h, body, signal });
  return [r.status, r.headers.get('retry-after'), await read(r, limit)];
}

// The body, counted as it arrives: the moment it passes `limit` bytes the stream is cancelled (the
// rest is never read, nor downloaded) and there is no body. Decoded as `r.text()` decodes (UTF-8,
// a BOM dropped, bad bytes replaced). Where a response has no stream (browsers older than any
// the loader runs in), it is read whole, then measured.
/**
 * @param {Response} r
 * @param {number} limit
 * @returns {Promise<string | undefined>}
 */
async function read(r, limit) {
  const reader = r.body?.getReader();
  /** @type {BlobPart[]} */
  const parts = reader ? [] : [await r.arrayBuffer()];
  for (let n = 0, c; reader && !(c = await reader.read()).done; parts.push(c.value)) {
    if ((n += c.value.length) > limit) {
      await reader.cancel();
      return undefined;
    }
  }
  const all = new Blob(parts);
  return all.size <= limit ? all.text() : undefined;
}
