// The names map `wasm-opt --minify-imports-and-exports-and-modules` prints: the old and new name
// of every import and export, for scripts/rename-glue.mjs (which carries the new names over to the
// JS glue) and scripts/ship-test.mjs (which finds the browser tests' exports under their new names).
//
// wasm-opt prints one map each time the pass runs (`--converge` runs the passes again):
//
//   {"imports": [[module, name, new name], ...], "exports": [[name, new name], ...]}
//   {"imports": [...], "exports": [...]}
//
// The first maps the original names, each next one the names of the one before.

/**
 * A names map: `imports` as [module, name, new name], `exports` as [name, new name].
 * @typedef {{ imports: [string, string, string][], exports: [string, string][] }} NamesMap
 */

/** @param {unknown} v @returns {v is [string, string, string]} */
const isImport = (v) => Array.isArray(v) && v.length === 3 && v.every((s) => typeof s === 'string');
/** @param {unknown} v @returns {v is [string, string]} */
const isExport = (v) => Array.isArray(v) && v.length === 2 && v.every((s) => typeof s === 'string');

/**
 * The maps in `text` composed into one: `{ imports: [[module, name, final name], ...], exports:
 * [[name, final name], ...] }`, by the original names. Throws an Error saying what is wrong when
 * the text is not such maps, or a later map leaves out a name of the one before.
 * @param {string} text
 * @returns {NamesMap}
 */
export function composeNamesMap(text) {
  const maps = text.split(/\n(?=\{)/).filter((t) => t.trim()).map((t, i) => {
    /** @type {unknown} */
    let m;
    try {
      m = JSON.parse(t);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      throw new Error(`map ${i + 1} is not JSON (${e.message})`, { cause: e });
    }
    const imports = typeof m === 'object' && m !== null && 'imports' in m ? m.imports : undefined;
    const exports = typeof m === 'object' && m !== null && 'exports' in m ? m.exports : undefined;
    if (!Array.isArray(imports) || !Array.isArray(exports)) throw new Error(`map ${i + 1} has no "imports" and "exports" lists`);
    if (!imports.every(isImport)) throw new Error(`map ${i + 1}: an import that is not [module, name, new name]: ${JSON.stringify(imports.find((e) => !isImport(e)))}`);
    if (!exports.every(isExport)) throw new Error(`map ${i + 1}: an export that is not [name, new name]: ${JSON.stringify(exports.find((e) => !isExport(e)))}`);
    return { imports, exports };
  });
  if (!maps.length) throw new Error('no map');
  const [first, ...later] = maps;
  /** @type {NamesMap} */
  const map = { imports: first.imports.map(([m, n, r]) => [m, n, r]), exports: first.exports.map(([n, r]) => [n, r]) };
  /**
   * Entry `at` of each of `entries` (the current name) becomes its name in `table`.
   * @param {string} what
   * @param {string[][]} entries
   * @param {number} at
   * @param {Map<string, string>} table
   * @param {number} n
   */
  const rename = (what, entries, at, table, n) => {
    for (const e of entries) {
      const renamed = table.get(e[at]);
      if (renamed === undefined) throw new Error(`${what} ${e[at]} (at first ${e[at - 1]}) is missing from map ${n}`);
      e[at] = renamed;
    }
  };
  later.forEach((next, i) => {
    const imports = new Map(next.imports.map(([, name, renamed]) => [name, renamed]));
    if (imports.size !== next.imports.length) throw new Error(`map ${i + 2} renames one import name twice`);
    rename('import', map.imports, 2, imports, i + 2);
    rename('export', map.exports, 1, new Map(next.exports), i + 2);
  });
  return map;
}
