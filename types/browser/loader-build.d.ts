// The constants scripts/build-loader.mjs defines when it builds www/embed/k12-export.js.

/** The button's stylesheet (all but the history panel's part), minified. */
declare const K12X_CSS: string;
/** The release, from `[workspace.package] version` in Cargo.toml. */
declare const K12X_VERSION: string;
/**
 * The CDN build: the integrity (sha384) of each runtime file, by file name; `null` in the other
 * builds, whose files a bundler or the page's own server delivers.
 */
declare const K12X_SRI: Record<string, string> | null;
/** The classic script's own address (`document.currentScript.src`); unused by the ES module. */
declare const K12X_SRC: string;
/** The classic script's `import()`: a runtime's glue, by its path relative to the loader. */
declare function K12X_IMPORT(path: string): Promise<unknown>;
