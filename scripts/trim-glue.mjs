#!/usr/bin/env node
// @ts-check
// Trims wasm-bindgen's glue (--target web) to what the loader uses, before it is minified
// (scripts/optimize-runtime.sh):
//
// - no default address for the wasm: the loader always passes the fetched wasm, and a bundler
//   reading `new URL('NAME_bg.wasm', import.meta.url)` in the glue would emit (or, once the file
//   is renamed by its content, fail to find) a second copy;
// - no `initSync` export: the loader initialises asynchronously, and the minifier then drops the
//   function;
// - no warnings for what the loader never does: it passes its options as one object, and a
//   Response only when it is served as application/wasm (it reads the bytes of any other and
//   says itself what to fix).
//
//   node scripts/trim-glue.mjs GLUE.js NAME
//
// Exits 1, naming what it did not find, when the glue is not shaped as expected (another
// wasm-bindgen version): nothing is written then.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The glue `text` of runtime `name` trimmed; throws naming a part it does not find exactly once.
 * @param {string} text
 * @param {string} name
 */
export function trimGlue(text, name) {
  const cuts = [
    ['the default wasm address', new RegExp(`\\n *if \\(module_or_path === undefined\\) \\{\\n *module_or_path = new URL\\('${name}_bg\\.wasm', import\\.meta\\.url\\);\\n *\\}`, 'g'), ''],
    ['the export of initSync', /^export \{ initSync, __wbg_init as default \};$/gm, 'export { __wbg_init as default };'],
    ['the warning for a wasm served with another type', /console\.warn\("`WebAssembly\.instantiateStreaming` failed because your server does not serve Wasm with `application\/wasm` MIME type\. [^"]*", e\);/g, ''],
    ['the warning for positional init arguments', /\n *\} else \{\n *console\.warn\('using deprecated parameters for the initialization function; pass a single object instead'\)\n/g, '\n'],
  ];
  let out = text;
  for (const [what, pattern, by] of /** @type {[string, RegExp, string][]} */ (cuts)) {
    const found = out.match(pattern)?.length ?? 0;
    if (found !== 1) throw new Error(`trim-glue: ${what} found ${found} times in the glue of ${name}, not once`);
    out = out.replace(pattern, by);
  }
  if (out.includes('import.meta.url')) throw new Error(`trim-glue: the glue of ${name} still reads import.meta.url`);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, name] = process.argv.slice(2);
  if (!name) {
    console.error('usage: trim-glue.mjs GLUE.js NAME');
    process.exit(2);
  }
  try {
    writeFileSync(file, trimGlue(readFileSync(file, 'utf8'), name));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
