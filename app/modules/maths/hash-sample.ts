// A deterministic sample of records by their ids: the same ids always give the same sample, in the
// same order, whatever order they arrive in - so a model fitted on it is reproducible bit for bit.

/** FNV-1a, 32 bits. */
export function hashId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

const compareIds = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);

/** Indexes into `ids` of about `size` of them (all when there are fewer), ordered by hash then id. */
export function sampleByHash(ids: readonly string[], size: number): number[] {
  const hashes = Uint32Array.from(ids, hashId);
  const cutoff = ids.length > size ? Math.floor((size / ids.length) * 2 ** 32) : 2 ** 32;
  return ids
    .map((_, i) => i)
    .filter((i) => hashes[i]! < cutoff)
    .sort((i, j) => hashes[i]! - hashes[j]! || compareIds(ids[i]!, ids[j]!));
}
