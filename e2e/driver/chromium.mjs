// Debian's headless Chromium through playwright-core (no browser download), marked like every
// other process the drivers start. Node only: the end-to-end driver's Chromium backend
// (playwright.mjs) and the build scripts that run a page (scripts/ship-test.mjs) start it here.
import { chromium } from 'playwright-core';
import { markerEnv } from './procs.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

/** Launches Debian's Chromium, headless, marked like every other process the drivers start. */
export async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, ...markerEnv() },
  });
}
