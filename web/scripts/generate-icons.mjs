// Renders the PNG icons of the web app from its two SVG sources (run once after editing them):
//   node web/scripts/generate-icons.mjs
import path from 'node:path';
import sharp from 'sharp';

const pub = path.resolve(import.meta.dirname, '../public');
const logo = path.join(pub, 'favicon.svg');
const maskable = path.join(pub, 'icons/maskable.svg');
const out = [
  [logo, 32, 'icons/icon-32.png'],
  [logo, 192, 'icons/icon-192.png'],
  [logo, 512, 'icons/icon-512.png'],
  [maskable, 180, 'icons/apple-touch-icon.png'],
  [maskable, 512, 'icons/maskable-512.png'],
];
for (const [src, size, file] of out) {
  await sharp(src, { density: 300 }).resize(size, size).png().toFile(path.join(pub, file));
  console.log(file);
}
