/**
 * Writes `key` as the newest entry of an insertion-ordered Map, then drops the oldest entries
 * beyond `max`: the bound shared by the in-process cache and rate-limit store.
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}
