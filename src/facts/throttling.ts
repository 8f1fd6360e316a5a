/** The firmware's get_throttled bits (Raspberry Pi documentation, "vcgencmd get_throttled"). */
const THROTTLE_BITS: Array<[number, string, 'now' | 'since boot']> = [
  [0, 'under-voltage', 'now'],
  [1, 'ARM frequency capped', 'now'],
  [2, 'throttled', 'now'],
  [3, 'soft temperature limit', 'now'],
  [16, 'under-voltage', 'since boot'],
  [17, 'ARM frequency capped', 'since boot'],
  [18, 'throttled', 'since boot'],
  [19, 'soft temperature limit', 'since boot'],
];

export interface Throttling {
  raw: number;
  now: string[];
  sinceBoot: string[];
}

export function decodeThrottled(value: number): Throttling {
  const pick = (when: 'now' | 'since boot') =>
    THROTTLE_BITS.filter(([bit, , w]) => w === when && (value & (1 << bit)) !== 0).map(([, word]) => word);
  return { raw: value, now: pick('now'), sinceBoot: pick('since boot') };
}
