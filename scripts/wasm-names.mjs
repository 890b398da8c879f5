// Reads a wasm module's sections, function body sizes and function names (from the name
// section, so read a module that still has one: the output of wasm-bindgen before wasm-opt).
// Used by scripts/wasm-top.mjs (where the bytes go) and scripts/size-rules.mjs (banned code).
import { readFileSync } from 'node:fs';

const SECTIONS = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'];

/**
 * `{ size, sections: [[label, bytes]], functions: [{ name, size }], dataBytes }` of `file`; a
 * function without a name is `func[index]`.
 * @param {string} file
 * @returns {{ size: number, sections: [string, number][], functions: { name: string, size: number }[], dataBytes: number }}
 */
export function readWasm(file) {
  const buf = readFileSync(file);
  let pos = 8;
  const uleb = () => {
    let result = 0, shift = 0, b;
    do {
      b = buf[pos++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return result;
  };
  const name = () => {
    const n = uleb();
    const s = buf.toString('utf8', pos, pos + n);
    pos += n;
    return s;
  };
  /** @type {[string, number][]} */
  const sections = [];
  /** @type {number[]} */
  const bodies = [];
  /** @type {Map<number, string>} */
  const names = new Map();
  let importedFuncs = 0;
  let dataBytes = 0;
  while (pos < buf.length) {
    const id = buf[pos++];
    const size = uleb();
    const start = pos;
    let label = SECTIONS[id] ?? `#${id}`;
    if (id === 0) {
      label = `custom:${name()}`;
      if (label === 'custom:name') {
        while (pos < start + size) {
          const sub = buf[pos++];
          const subEnd = uleb() + pos;
          if (sub === 1) {
            const count = uleb();
            for (let i = 0; i < count; i++) {
              const idx = uleb();
              names.set(idx, name());
            }
          }
          pos = subEnd;
        }
      }
    } else if (id === 2) {
      const count = uleb();
      for (let i = 0; i < count; i++) {
        name();
        name();
        const kind = buf[pos++];
        if (kind === 0) { uleb(); importedFuncs++; }
        else if (kind === 1) { pos++; const f = buf[pos++]; uleb(); if (f & 1) uleb(); }
        else if (kind === 2) { const f = buf[pos++]; uleb(); if (f & 1) uleb(); }
        else if (kind === 3) { pos += 2; }
      }
    } else if (id === 10) {
      const count = uleb();
      for (let i = 0; i < count; i++) {
        const s = uleb();
        bodies.push(s);
        pos += s;
      }
    } else if (id === 11) {
      dataBytes = size;
    }
    sections.push([label, size]);
    pos = start + size;
  }
  const functions = bodies.map((size, i) => ({ size, name: names.get(importedFuncs + i) ?? `func[${importedFuncs + i}]` }));
  return { size: buf.length, sections, functions, dataBytes };
}
