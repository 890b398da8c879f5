// A small PNG codec for screenshots: decodes 8-bit RGB, RGBA and palette images (not interlaced:
// what browsers' screenshots and `encode` make), crops (element screenshots in WebKitGTK, whose own
// come out partly black), encodes as small as it easily can (the visual references are committed),
// and compares two images with a tolerance.
import { deflateSync, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/**
 * An image's pixels: `rows` of `width` × `channels` bytes (RGB or RGBA), unfiltered.
 * @typedef {{ width: number, height: number, channels: number, rows: Buffer[] }} Image
 */

/** @param {Buffer} png @returns {{ type: string, data: Buffer }[]} */
function chunks(png) {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  const out = [];
  for (let p = 8; p < png.length;) {
    const len = png.readUInt32BE(p);
    out.push({ type: png.toString('latin1', p + 4, p + 8), data: png.subarray(p + 8, p + 8 + len) });
    p += 12 + len;
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** @param {Buffer} buf */
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** @param {string} type @param {Buffer} data */
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * What PNG filter `filter` (0 none, 1 sub, 2 up, 3 average, 4 Paeth) predicts byte `i` of a row
 * from: the bytes of the pixel before it in the (unfiltered) row `line` and of the (unfiltered)
 * row above, `prev`, pixels of `bpp` bytes.
 * @param {number} filter
 * @param {Buffer} line
 * @param {Buffer} prev
 * @param {number} i
 * @param {number} bpp
 */
function predict(filter, line, prev, i, bpp) {
  const a = i >= bpp ? line[i - bpp] : 0;
  const b = prev[i];
  const c = i >= bpp ? prev[i - bpp] : 0;
  if (filter === 1) return a;
  if (filter === 2) return b;
  if (filter === 3) return (a + b) >> 1;
  if (filter !== 4) return 0;
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * The pixels of `png` as `{ width, height, channels, rows }` (rows: unfiltered Buffers).
 * @param {Buffer} png
 * @returns {Image}
 */
export function decode(png) {
  const all = chunks(png);
  const ihdr = all.find((c) => c.type === 'IHDR')?.data;
  if (!ihdr) throw new Error('a PNG without its header (IHDR)');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const [depth, colour, , , interlace] = ihdr.subarray(8, 13);
  const stored = { 2: 3, 3: 1, 6: 4 }[colour];
  if (depth !== 8 || !stored || interlace) throw new Error(`unsupported PNG (depth ${depth}, colour ${colour}, interlace ${interlace})`);
  const palette = colour === 3 ? all.find((c) => c.type === 'PLTE')?.data : null;
  if (colour === 3 && !palette) throw new Error('a palette PNG without its palette');
  const alpha = colour === 3 ? all.find((c) => c.type === 'tRNS')?.data : null;
  const channels = colour === 3 ? (alpha ? 4 : 3) : stored;
  const raw = inflateSync(Buffer.concat(all.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * stored;
  const rows = [];
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) line[i] = (line[i] + predict(filter, line, prev, i, stored)) & 0xff;
    prev = line;
    if (!palette) {
      rows.push(line);
      continue;
    }
    const out = Buffer.alloc(width * channels);
    for (let x = 0; x < width; x++) {
      const k = line[x];
      palette.copy(out, x * channels, k * 3, k * 3 + 3);
      if (alpha) out[x * channels + 3] = k < alpha.length ? alpha[k] : 255;
    }
    rows.push(out);
  }
  return { width, height, channels, rows };
}

/**
 * The filtered row (filter byte first) that leaves the least to compress: the usual heuristic.
 * @param {Buffer} line
 * @param {Buffer} prev
 * @param {number} bpp
 */
function bestFilter(line, prev, bpp) {
  let best = Buffer.alloc(0);
  let bestSum = Infinity;
  for (let f = 0; f < 5; f++) {
    const out = Buffer.alloc(line.length + 1);
    out[0] = f;
    let sum = 0;
    for (let i = 0; i < line.length; i++) {
      const v = (line[i] - predict(f, line, prev, i, bpp)) & 0xff;
      out[i + 1] = v;
      sum += v < 128 ? v : 256 - v;
    }
    if (sum < bestSum) [best, bestSum] = [out, sum];
  }
  return best;
}

/**
 * `{ width, height, channels, rows }` (as `decode` gives) as a PNG, lossless and small: a palette
 * when the image has at most 256 colours (rows unfiltered), else RGB or RGBA with each row's best
 * filter; deflate at its highest level.
 * @param {Image} image
 */
export function encode({ width, height, channels, rows }) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  const opaque = channels === 3 || rows.every((r) => { for (let i = 3; i < r.length; i += 4) if (r[i] !== 255) return false; return true; });
  /** @type {Map<number, number>} */
  const colours = new Map();
  /** @param {Buffer} r @param {number} x */
  const key = (r, x) => (r[x * channels] << 24) | (r[x * channels + 1] << 16) | (r[x * channels + 2] << 8) | (channels === 4 ? r[x * channels + 3] : 255);
  for (const r of rows) {
    for (let x = 0; x < width && colours.size <= 256; x++) {
      const k = key(r, x);
      if (!colours.has(k)) colours.set(k, colours.size);
    }
  }
  const parts = [];
  /** @type {Buffer[]} */
  const lines = [];
  if (colours.size <= 256) {
    ihdr.set([8, 3, 0, 0, 0], 8);
    const plte = Buffer.alloc(colours.size * 3);
    const trns = Buffer.alloc(colours.size);
    for (const [k, i] of colours) {
      plte.writeUIntBE((k >>> 8) & 0xffffff, i * 3, 3);
      trns[i] = k & 0xff;
    }
    parts.push(chunk('PLTE', plte));
    if (!opaque) parts.push(chunk('tRNS', trns));
    for (const r of rows) {
      const line = Buffer.alloc(width + 1);
      for (let x = 0; x < width; x++) {
        const index = colours.get(key(r, x));
        if (index === undefined) throw new Error('a colour missing from the palette');
        line[x + 1] = index;
      }
      lines.push(line);
    }
  } else {
    const bpp = opaque ? 3 : 4;
    ihdr.set([8, opaque ? 2 : 6, 0, 0, 0], 8);
    /** @type {Buffer} */
    let prev = Buffer.alloc(width * bpp);
    for (const r of rows) {
      let line = r;
      if (bpp !== channels) {
        line = Buffer.alloc(width * 3);
        for (let x = 0; x < width; x++) r.copy(line, x * 3, x * channels, x * channels + 3);
      }
      lines.push(bestFilter(line, prev, bpp));
      prev = line;
    }
  }
  const idat = deflateSync(Buffer.concat(lines), { level: 9, memLevel: 9 });
  lines.length = 0; // (the rows go before the file is put together)
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), ...parts, chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * How `actual` differs from `expected` (decoded images): the pixels whose colour differs by more
 * than `tolerance` in some channel (0–255), counting every pixel outside the common area as
 * differing, and an image of the differences (the expected image faded, differing pixels red).
 * @param {Image} actual
 * @param {Image} expected
 * @param {number} tolerance
 */
export function compare(actual, expected, tolerance) {
  const width = Math.max(actual.width, expected.width);
  const height = Math.max(actual.height, expected.height);
  const rows = [];
  let differing = 0;
  /** @param {Image} img @param {number} x @param {number} y */
  const px = (img, x, y) => {
    if (x >= img.width || y >= img.height) return null;
    const o = x * img.channels;
    const r = img.rows[y];
    return [r[o], r[o + 1], r[o + 2]];
  };
  for (let y = 0; y < height; y++) {
    const out = Buffer.alloc(width * 3);
    for (let x = 0; x < width; x++) {
      const a = px(actual, x, y);
      const e = px(expected, x, y);
      const differs = !a || !e || a.some((v, i) => Math.abs(v - e[i]) > tolerance);
      if (differs) {
        differing++;
        out.set([255, 0, 0], x * 3);
      } else {
        const grey = 255 - ((255 - Math.round((e[0] + e[1] + e[2]) / 3)) >> 2);
        out.set([grey, grey, grey], x * 3);
      }
    }
    rows.push(out);
  }
  return { differing, total: width * height, image: encode({ width, height, channels: 3, rows }) };
}

/**
 * The part of `png` inside the rectangle (CSS pixels × `scale`), clamped to the image.
 * @param {Buffer} png
 * @param {{ x: number, y: number, width: number, height: number }} rect
 */
export function crop(png, { x, y, width, height }, scale = 1) {
  const img = decode(png);
  const x0 = Math.max(0, Math.floor(x * scale));
  const y0 = Math.max(0, Math.floor(y * scale));
  const x1 = Math.min(img.width, Math.ceil((x + width) * scale));
  const y1 = Math.min(img.height, Math.ceil((y + height) * scale));
  if (x1 <= x0 || y1 <= y0) throw new Error('the element is outside the screenshot');
  const lines = [];
  for (let r = y0; r < y1; r++) lines.push(Buffer.from([0]), img.rows[r].subarray(x0 * img.channels, x1 * img.channels));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(x1 - x0, 0);
  ihdr.writeUInt32BE(y1 - y0, 4);
  ihdr.set([8, img.channels === 4 ? 6 : 2, 0, 0, 0], 8);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(lines))), chunk('IEND', Buffer.alloc(0))]);
}

/** Steps of a channel in `reduce`: 16 levels, 0, 17, …, 255. */
const STEP = 17;

/**
 * The image with each channel rounded to 16 levels (alpha dropped): a card of the gallery then has
 * a few dozen colours, which `encode` stores with a palette in about a fifth of the size of the
 * screenshot, while a moved box, a changed colour or a clipped text still shows.
 * @param {Image} image
 * @returns {Image}
 */
export function reduce({ width, height, channels, rows }) {
  return {
    width,
    height,
    channels: 3,
    rows: rows.map((r) => {
      const out = Buffer.alloc(width * 3);
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) out[x * 3 + c] = Math.round(r[x * channels + c] / STEP) * STEP;
      }
      return out;
    }),
  };
}
