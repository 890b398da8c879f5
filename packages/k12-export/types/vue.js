// Types only (./vue.d.ts): nothing to run.
export {};
