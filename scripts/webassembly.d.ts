// Node's WebAssembly global (the browsers' API), the part the build scripts use: TypeScript
// declares it only with the DOM's types (lib.dom.d.ts), which the scripts, Node's, do not get.
declare namespace WebAssembly {
  type ImportExportKind = 'function' | 'global' | 'memory' | 'table' | 'tag';
  interface ModuleImportDescriptor {
    module: string;
    name: string;
    kind: ImportExportKind;
  }
  interface ModuleExportDescriptor {
    name: string;
    kind: ImportExportKind;
  }
  /** A compiled module. */
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
    static imports(module: Module): ModuleImportDescriptor[];
    static exports(module: Module): ModuleExportDescriptor[];
  }
  /** What a trap (unreachable, out-of-bounds access, ...) throws. */
  class RuntimeError extends Error {}
}
