// Types only (./react.d.ts): nothing to run.
export {};
