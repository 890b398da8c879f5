// @ts-check
// The npm package's promises held to the code they describe, so that they cannot drift:
//
// - one version: packages/k12-export/package.json, Cargo.toml's [workspace.package] (both crates
//   take it), CHANGELOG.md's latest entry and the loader's `version` export;
// - the options in the types (packages/k12-export/types/k12-export.d.ts, read with the TypeScript
//   compiler) are options.json's names — which src/options.rs's test holds to the Rust lists —
//   plus the callbacks src/embed.rs reads, per protocol;
// - the events, their `detail` fields and the failure kinds are the ones src/embed.js, src/embed.rs
//   and the loader dispatch;
// - custom-elements.json has both tags with the loader's observed attributes (each one an
//   option), the elements' members, the events, the `::part`s the components render and the
//   `--k12x-*` properties of the stylesheet;
// - README.md's install snippets are the files of the consumer apps (e2e/consumers/).
//
//   node --test scripts/tests/
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { buildLoader, cargoVersion } from '../build-loader.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (/** @type {string} */ path) => readFileSync(join(root, path), 'utf8');
const pkgDir = 'packages/k12-export';
const TYPES = join(root, pkgDir, 'types/k12-export.d.ts');
const options = JSON.parse(read(`${pkgDir}/options.json`));
const cem = JSON.parse(read(`${pkgDir}/custom-elements.json`));
const loader = read('www/embed/k12-export.js');
const sorted = (/** @type {Iterable<string>} */ names) => [...new Set(names)].sort();

// The package's types, compiled as a consumer would (strict, DOM).
const program = ts.createProgram([TYPES], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [] });
const checker = program.getTypeChecker();
const source = /** @type {ts.SourceFile} */ (program.getSourceFile(TYPES));

/** The declaration named `name` in the types (an interface or a type alias). */
function declared(/** @type {string} */ name) {
  /** @type {ts.Node | undefined} */
  let found;
  const visit = (/** @type {ts.Node} */ n) => {
    if ((ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) && n.name.text === name && !found) found = n;
    ts.forEachChild(n, visit);
  };
  visit(source);
  assert.ok(found, `${name} is declared in the types`);
  return found;
}
/** The property names of type `name`, inherited ones included. */
const props = (/** @type {string} */ name) => sorted(checker.getPropertiesOfType(checker.getTypeAtLocation(declared(name))).map((p) => p.name));
/** The string literals of union type `name`. */
function literals(/** @type {string} */ name) {
  const type = checker.getTypeAtLocation(declared(name));
  return sorted((type.isUnion() ? type.types : [type]).map((t) => (t.isStringLiteral() ? t.value : checker.typeToString(t))));
}
/** The members an element's interface adds to HTMLElement. */
function ownMembers(/** @type {string} */ name) {
  const node = /** @type {ts.InterfaceDeclaration} */ (declared(name));
  return sorted(node.members.map((m) => /** @type {ts.Identifier} */ (m.name).text));
}

test('no type errors in the package types', () => {
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(problems, []);
});

test('one version: package.json, Cargo.toml (both crates), CHANGELOG.md and the loader', async () => {
  const version = cargoVersion();
  assert.equal(JSON.parse(read(`${pkgDir}/package.json`)).version, version, 'packages/k12-export/package.json');
  for (const crate of ['Cargo.toml', 'core/Cargo.toml']) {
    assert.match(read(crate), /^\[package\][^[]*^version\.workspace = true$/m, `${crate} takes the workspace's version`);
  }
  const latest = read('CHANGELOG.md').match(/^## (\d+\.\d+\.\d+\S*)/m);
  assert.equal(latest?.[1], version, "CHANGELOG.md's latest release");
  // The loader as built (the Node import also proves it has no side effect: nothing to load).
  const dir = mkdtempSync(join(tmpdir(), 'k12x-loader-'));
  try {
    await buildLoader({ out: dir, k12: 'runtime_k12', all: 'runtime_all' });
    const built = await import(pathToFileURL(join(dir, 'k12-export.js')).href);
    assert.equal(built.version, version);
    assert.deepEqual(Object.keys(built).sort(), ['mount', 'mountHistory', 'ready', 'version']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("each protocol's options in the types are the widget's, and the callbacks src/embed.rs reads", () => {
  const callbacks = [...read('src/embed.rs').matchAll(/callback\("(on\w+)"\)/g)].map((m) => m[1]);
  assert.ok(callbacks.length >= 5, `callbacks read by src/embed.rs: ${callbacks}`);
  const shared = [...options.common, ...options.widget, ...options.history, ...callbacks];
  const interfaces = { k12: 'K12Options', 'export-service': 'ExportServiceOptions', xlink: 'XLinkOptions', minapp: 'MinAppOptions', asset: 'AssetOptions' };
  assert.deepEqual(sorted(Object.keys(interfaces)), sorted(Object.keys(options.protocols)), 'one interface per protocol');
  assert.deepEqual(literals('Protocol'), sorted(Object.keys(options.protocols)));
  for (const [protocol, name] of Object.entries(interfaces)) {
    assert.deepEqual(props(name), sorted([...shared, ...options.protocols[protocol]]), `${name}: the options of protocol ${protocol}`);
  }
  assert.deepEqual(props('CommonOptions'), sorted(shared.filter((k) => k !== 'protocol')));
});

test('the events and their details are the ones the widget dispatches', () => {
  const embedJs = read('src/embed.js');
  const dispatched = [...embedJs.matchAll(/report\(target, f, '([\w-]+)'/g), ...loader.matchAll(/new CustomEvent\('([\w-]+)'/g)].map((m) => m[1]);
  assert.deepEqual(props('K12ExportEventMap'), sorted(dispatched));
  /** The keys of the object literal src/embed.js reports as `event`'s detail. */
  const detail = (/** @type {string} */ event) => sorted((embedJs.match(new RegExp(`'${event}', \\{ ([^}]*) \\}`))?.[1] ?? '').split(',').map((k) => k.trim().split(':')[0]));
  assert.deepEqual(props('ExportDoneDetail'), detail('export-done'));
  assert.deepEqual(props('ExportCancelDetail'), detail('export-cancel'));
  // The loader's own export-error (the runtime could not run) adds `cause`.
  const loaderDetail = loader.match(/const detail = \{ ([^}]*) \}/)?.[1] ?? '';
  assert.deepEqual(props('ExportErrorDetail'), sorted([...detail('export-error'), ...loaderDetail.split(',').map((k) => k.trim().split(':')[0])]));
  const kinds = [...read('src/embed.rs').matchAll(/FailKind::\w+ => "([\w-]+)"/g)].map((m) => m[1]);
  assert.deepEqual(literals('ExportErrorKind'), sorted([...kinds, 'unavailable']));
  assert.deepEqual(literals('UnavailableCause'), sorted(JSON.parse((loader.match(/const CAUSES = (\[[^\]]*\])/)?.[1] ?? '[]').replaceAll("'", '"'))));
});

/** The loader's list `const NAME = [...]` or `{...}` keys. */
function loaderList(/** @type {string} */ name) {
  const m = loader.match(new RegExp(`const ${name} = ([[{][^\\n]*[\\]}]);`));
  assert.ok(m, `${name} in the loader`);
  return m[1].startsWith('[') ? JSON.parse(m[1].replaceAll("'", '"')) : [...m[1].matchAll(/'?([\w-]+)'?: '(\w+)'/g)].map((x) => [x[1], x[2]]);
}

test('custom-elements.json: the tags, attributes, members, events, parts and custom properties', () => {
  const decls = cem.modules.flatMap((/** @type {any} */ m) => m.declarations).filter((/** @type {any} */ d) => d.customElement);
  const byTag = Object.fromEntries(decls.map((/** @type {any} */ d) => [d.tagName, d]));
  const tagMap = /** @type {ts.InterfaceDeclaration} */ (declared('HTMLElementTagNameMap'));
  assert.deepEqual(sorted(Object.keys(byTag)), sorted(tagMap.members.map((m) => /** @type {ts.StringLiteral} */ (m.name).text)));
  const names = (/** @type {{ name: string }[]} */ list = []) => sorted(list.map((x) => x.name));

  // Attributes: the loader's observed ones, the JSX/Vue attribute types', each one an option.
  const numbers = /** @type {[string, string][]} */ (loaderList('NUMBER_ATTRS'));
  const button = [...loaderList('JSON_ATTRS'), ...loaderList('TEXT_ATTRS'), 'disabled', ...numbers.map(([a]) => a), 'share'];
  assert.deepEqual(names(byTag['k12-export-button'].attributes), sorted(button));
  assert.deepEqual(props('K12ExportButtonAttributes'), sorted(button));
  const history = JSON.parse((loader.match(/static observedAttributes = (\['options'[^\]]*\])/)?.[1] ?? '[]').replaceAll("'", '"'));
  assert.deepEqual(names(byTag['k12-export-history'].attributes), sorted(history));
  assert.deepEqual(props('K12ExportHistoryAttributes'), sorted(history));
  const known = new Set([...options.common, ...options.widget, ...options.history, ...Object.values(options.protocols).flat()]);
  const option = Object.fromEntries(numbers);
  for (const a of [...button, ...history].filter((a) => a !== 'options')) assert.ok(known.has(option[a] ?? a), `attribute ${a} is an option`);

  // Members: the elements' interfaces.
  assert.deepEqual(names(byTag['k12-export-button'].members), ownMembers('K12ExportButtonElement'));
  assert.deepEqual(names(byTag['k12-export-history'].members), ownMembers('K12ExportHistoryElement'));

  // Events: the event map's, each with its detail's type.
  const eventMap = /** @type {ts.InterfaceDeclaration} */ (declared('K12ExportEventMap'));
  const eventTypes = Object.fromEntries(eventMap.members.map((m) => [/** @type {ts.StringLiteral} */ (m.name).text, /** @type {ts.PropertySignature} */ (m).type?.getText(source)]));
  for (const e of byTag['k12-export-button'].events) assert.equal(e.type.text, eventTypes[e.name], `event ${e.name}`);
  assert.deepEqual(names(byTag['k12-export-button'].events), props('K12ExportEventMap'));
  assert.deepEqual(names(byTag['k12-export-history'].events), ['export-config-error']);

  // Parts: every part="…" the components and the loader render.
  const components = readdirSync(join(root, 'src/components')).filter((f) => f.endsWith('.rs')).map((f) => read(`src/components/${f}`)).join('\n');
  const parts = [...components.matchAll(/\bpart="([\w-]+)"/g), ...loader.matchAll(/\bpart: '([\w-]+)'/g)].map((m) => m[1]);
  assert.deepEqual(names(byTag['k12-export-button'].cssParts), sorted(parts));

  // Custom properties: every --k12x-* the stylesheet reads, the ones its header lists among them.
  const css = read('www/k12-export.css');
  const used = sorted([...css.matchAll(/var\((--k12x-[\w-]+)/g)].map((m) => m[1]));
  const listed = (css.match(/^\/\*[^]*?\*\//)?.[0].match(/--k12x-[\w-]+/g)) ?? [];
  assert.ok(listed.length >= 10 && listed.every((p) => used.includes(p)), `the header's list: ${listed}`);
  for (const tag of Object.keys(byTag)) assert.deepEqual(names(byTag[tag].cssProperties), used, tag);
});

test("README.md's install snippets are the consumer apps' files", () => {
  const readme = read('README.md');
  const marked = [...readme.matchAll(/<!-- file: ([^ ]+) -->\n```\w*\n([^]*?)\n```/g)];
  assert.ok(marked.length >= 5, `marked snippets: ${marked.length}`);
  for (const [, path, text] of marked) assert.equal(text, read(path).replace(/\n$/, ''), `README.md's snippet of ${path}`);
  const shown = marked.map((m) => m[1]);
  for (const app of ['vite/src/main.ts', 'webpack/src/index.js', 'plain/index.html', 'types/src/react.tsx', 'types/src/vue.ts']) {
    assert.ok(shown.includes(`e2e/consumers/${app}`), `README.md shows e2e/consumers/${app}`);
  }
});
