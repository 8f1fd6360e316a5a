import { crc32 } from 'node:zlib';

/** CRC-32 (zlib's, native since Node 20.15, the floor in package.json) of buffers one after the other. */
export function crcOf(buffers: readonly Uint8Array[]): number {
  let crc = 0;
  for (const buffer of buffers) crc = crc32(buffer, crc);
  return crc;
}
