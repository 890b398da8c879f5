// One fetch and its body as text (src/driver/transport.rs): resolves to [status, Retry-After,
// body], rejects (an Error) when no answer came. `headers` is [name, value, name, value, …]; a body
// goes as JSON. The page's cookies go along to same-origin endpoints (fetch's default).
export async function fetchText(url, method, headers, body, signal) {
  const h = new Headers();
  for (let i = 0; i < headers.length; i += 2) h.append(headers[i], headers[i + 1]);
  if (body != null) h.append('Content-Type', 'application/json');
  const r = await fetch(url, { method, headers: h, body, signal });
  return [r.status, r.headers.get('retry-after'), await r.text()];
}
