/**
 * A still picture as a Y4M video (YUV4MPEG2, 4:2:0) for Chromium's fake camera
 * (`--use-fake-device-for-media-stream --use-file-for-fake-video-capture=<file.y4m>`): the PNG is
 * centred on a white frame of even size and converted with the BT.601 full-range equations.
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

const FRAMES = 2;

function even(n: number): number {
  return n + (n % 2);
}

/** RGB of the frame at (x, y): the picture where it lies, white around it. */
function sampler(png: PNG, width: number, height: number): (x: number, y: number) => [number, number, number] {
  const left = Math.floor((width - png.width) / 2);
  const top = Math.floor((height - png.height) / 2);
  return (x, y) => {
    const px = x - left;
    const py = y - top;
    if (px < 0 || py < 0 || px >= png.width || py >= png.height) return [255, 255, 255];
    const at = (py * png.width + px) * 4;
    const alpha = (png.data[at + 3] ?? 255) / 255;
    const blend = (value: number | undefined) => Math.round((value ?? 255) * alpha + 255 * (1 - alpha));
    return [blend(png.data[at]), blend(png.data[at + 1]), blend(png.data[at + 2])];
  };
}

const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)));

/** One frame's Y, U and V planes (U and V averaged over each 2×2 block). */
function frame(rgb: (x: number, y: number) => [number, number, number], width: number, height: number): Buffer {
  const y = Buffer.alloc(width * height);
  const u = Buffer.alloc((width / 2) * (height / 2));
  const v = Buffer.alloc((width / 2) * (height / 2));
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const [r, g, b] = rgb(col, row);
      y[row * width + col] = clamp(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  for (let row = 0; row < height; row += 2) {
    for (let col = 0; col < width; col += 2) {
      let [r, g, b] = [0, 0, 0];
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const [pr, pg, pb] = rgb(col + dx, row + dy);
        r += pr / 4;
        g += pg / 4;
        b += pb / 4;
      }
      const at = (row / 2) * (width / 2) + col / 2;
      u[at] = clamp(-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
      v[at] = clamp(0.5 * r - 0.418688 * g - 0.081312 * b + 128);
    }
  }
  return Buffer.concat([Buffer.from('FRAME\n'), y, u, v]);
}

/** Writes `png` (PNG bytes) as a Y4M file of at least 640×480 at `path`. */
export function writeY4mFromPng(png: Buffer, path: string): void {
  const picture = PNG.sync.read(png);
  const width = even(Math.max(640, picture.width));
  const height = even(Math.max(480, picture.height));
  const one = frame(sampler(picture, width, height), width, height);
  const header = Buffer.from(`YUV4MPEG2 W${String(width)} H${String(height)} F30:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: FRAMES }, () => one)]));
}
