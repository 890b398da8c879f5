// Crops a PNG (8-bit RGB or RGBA, not interlaced: what browsers' screenshots are). Used for
// element screenshots in WebKitGTK, whose own element screenshots come out partly black.
import { deflateSync, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

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

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** The pixels of `png` as `{ width, height, channels, rows }` (rows: unfiltered Buffers). */
export function decode(png) {
  const all = chunks(png);
  const ihdr = all.find((c) => c.type === 'IHDR').data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const [depth, colour, , , interlace] = ihdr.subarray(8, 13);
  const channels = { 2: 3, 6: 4 }[colour];
  if (depth !== 8 || !channels || interlace) throw new Error(`unsupported PNG (depth ${depth}, colour ${colour}, interlace ${interlace})`);
  const raw = inflateSync(Buffer.concat(all.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * channels;
  const rows = [];
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? line[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[i] = (line[i] + add) & 0xff;
    }
    rows.push(line);
    prev = line;
  }
  return { width, height, channels, rows };
}

/** The part of `png` inside the rectangle (CSS pixels × `scale`), clamped to the image. */
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
