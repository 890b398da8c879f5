// The classic script (`<script src=".../k12-export-classic.js">`): the same API as the module,
// as `window.k12export`. `/// <reference types="k12-export/classic" />` (or an import of this
// entry) types the global; the elements and events are typed as for the module.
import type * as K12Export from './k12-export.js';

declare global {
  interface Window {
    k12export: typeof K12Export;
  }
}
