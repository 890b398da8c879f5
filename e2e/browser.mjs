// Launches Debian's Chromium through playwright-core (no browser download), headless.
export { CHROMIUM_ARGS, launchChromium as launch } from './driver/chromium.mjs';
