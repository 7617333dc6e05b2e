/**
 * A 64-bit content hash (two independent FNV-1a 32-bit lanes over the UTF-16 code units) used as
 * the pipeline cache key of a shader. Not cryptographic: the cache also compares the full text on
 * a hit, so a collision can cost a recompilation but never a wrong pipeline.
 */
export function contentHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
