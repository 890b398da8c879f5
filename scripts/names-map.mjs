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
 * The maps in `text` composed into one: `{ imports: [[module, name, final name], ...], exports:
 * [[name, final name], ...] }`, by the original names. Throws an Error saying what is wrong when
 * the text is not such maps, or a later map leaves out a name of the one before.
 */
export function composeNamesMap(text) {
  const maps = text.split(/\n(?=\{)/).filter((t) => t.trim()).map((t, i) => {
    let m;
    try {
      m = JSON.parse(t);
    } catch (e) {
      throw new Error(`map ${i + 1} is not JSON (${e.message})`, { cause: e });
    }
    if (!Array.isArray(m?.imports) || !Array.isArray(m?.exports)) throw new Error(`map ${i + 1} has no "imports" and "exports" lists`);
    return m;
  });
  if (!maps.length) throw new Error('no map');
  const [first, ...later] = maps;
  const map = { imports: first.imports.map((e) => [...e]), exports: first.exports.map((e) => [...e]) };
  // Entry `at` of each of `entries` (the current name) becomes its name in `table`.
  const rename = (what, entries, at, table, n) => {
    for (const e of entries) {
      if (!table.has(e[at])) throw new Error(`${what} ${e[at]} (at first ${e[at - 1]}) is missing from map ${n}`);
      e[at] = table.get(e[at]);
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
