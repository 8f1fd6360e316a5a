/**
 * A 64-bit checksum of file data that costs a fraction of zlib's CRC-32 (which has no SIMD path in
 * Node): xxHash64's round over four 64-bit lanes, then its merge and avalanche, run as a WebAssembly
 * function over bytes read straight into its memory. It checks that a cached card's data is the data
 * composed: it must see every byte, not resist an attacker. Not xxHash64's values (no seeds, no tail
 * rules): lengths are whole sectors, so the input is always a whole number of 32-byte stripes.
 *
 * The module, as text:
 *   (func (export "hash") (param $p i32) (param $n i32) (result i64)
 *     (local $end i32) (local $a i64) (local $b i64) (local $c i64) (local $d i64)
 *     end = p + n; a = P1 + P2; b = P2; c = 0; d = -P1
 *     while (p < end) { a = round(a, load64(p)); b = round(b, load64(p + 8)); c = ...; d = ...; p += 32 }
 *     h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18) ^ n
 *     h = (h ^ h >> 33) * P2; h = (h ^ h >> 29) * P3; return h ^ h >> 32)
 *   round(acc, x) = rotl(acc + x * P2, 31) * P1
 */

const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
/** Bytes the hash reads at a time. */
const STRIPE = 32;
const PAGE = 65536;

// Opcodes (https://webassembly.github.io/spec/core/binary/instructions.html) and the function's locals.
const GET = 0x20, SET = 0x21, TEE = 0x22, I64_LOAD = 0x29, I32_CONST = 0x41, I64_CONST = 0x42, I32_ADD = 0x6a, I32_LT_U = 0x49, I32_GE_U = 0x4f;
const I64_ADD = 0x7c, I64_MUL = 0x7e, I64_XOR = 0x85, I64_SHR_U = 0x88, I64_ROTL = 0x89, I64_EXTEND_I32_U = 0xad, BLOCK = 0x02, LOOP = 0x03, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const [p, n, end, a, b, c, d] = [0, 1, 2, 3, 4, 5, 6];

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

function i64(value: bigint): number[] {
  let v = BigInt.asIntN(64, value);
  const out: number[] = [I64_CONST];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && !(byte & 0x40)) || (v === -1n && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const round = (lane: number, offset: number) => [GET, lane, GET, p, I64_LOAD, 3, offset, ...i64(P2), I64_MUL, I64_ADD, ...i64(31n), I64_ROTL, ...i64(P1), I64_MUL, SET, lane];
const rotl = (lane: number, bits: bigint) => [GET, lane, ...i64(bits), I64_ROTL];
const avalanche = (shift: bigint, prime?: bigint) => [TEE, a, GET, a, ...i64(shift), I64_SHR_U, I64_XOR, ...(prime ? [...i64(prime), I64_MUL] : [])];

function moduleBytes(pages: number): Uint8Array<ArrayBuffer> {
  const body = [
    ...[2, 1, 0x7f, 4, 0x7e], // locals: one i32 (end), four i64 (a b c d)
    ...[GET, p, GET, n, I32_ADD, SET, end],
    ...[...i64(P1 + P2), SET, a, ...i64(P2), SET, b, ...i64(0n), SET, c, ...i64(-P1), SET, d],
    ...[BLOCK, VOID, GET, p, GET, end, I32_GE_U, BR_IF, 0, LOOP, VOID],
    ...[...round(a, 0), ...round(b, 8), ...round(c, 16), ...round(d, 24)],
    ...[GET, p, I32_CONST, STRIPE, I32_ADD, TEE, p, GET, end, I32_LT_U, BR_IF, 0, END, END],
    ...[...rotl(a, 1n), ...rotl(b, 7n), I64_ADD, ...rotl(c, 12n), I64_ADD, ...rotl(d, 18n), I64_ADD, GET, n, I64_EXTEND_I32_U, I64_XOR],
    ...[...avalanche(33n, P2), ...avalanche(29n, P3), ...avalanche(32n), END],
  ];
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const name = (text: string) => [...uleb(text.length), ...Buffer.from(text)];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, [1, 0x60, 2, 0x7f, 0x7f, 1, 0x7e]), // type: (i32, i32) -> i64
    ...section(3, [1, 0]), // one function of that type
    ...section(5, [1, 1, ...uleb(pages), ...uleb(pages)]), // memory: `pages`, fixed
    ...section(7, [2, ...name('memory'), 2, 0, ...name('hash'), 0, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

/** Buffers in WebAssembly memory to read data into, and the hash of what one of them holds. */
export interface DataHasher {
  readonly buffers: readonly Buffer[];
  /** Hash (16 hex digits) of the first `length` bytes (a multiple of 32) of buffers[index]. */
  hash(index: number, length: number): string;
}

/** A hasher with `count` buffers of `size` bytes (a multiple of 32) each. */
export function dataHasher(size: number, count: number): DataHasher {
  if (size % STRIPE !== 0) throw new Error(`data hash buffers must be a multiple of ${STRIPE} bytes`);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(Math.ceil((size * count) / PAGE))));
  const memory = (instance.exports.memory as WebAssembly.Memory).buffer;
  const run = instance.exports.hash as (at: number, length: number) => bigint;
  const buffers = Array.from({ length: count }, (_, index) => Buffer.from(memory, index * size, size));
  return {
    buffers,
    hash(index, length) {
      if (length % STRIPE !== 0 || length > size) throw new Error(`cannot hash ${length} bytes (whole stripes of ${STRIPE}, at most ${size})`);
      return BigInt.asUintN(64, run(index * size, length)).toString(16).padStart(16, '0');
    },
  };
}
