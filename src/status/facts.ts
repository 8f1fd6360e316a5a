/** What `pi-cluster status` judges of the facts (src/facts reads them): etcd's fsync guidance and a quantile. */

/** etcd's guidance: the 99th percentile of WAL fsync under 10 ms. */
export const FSYNC_P99_LIMIT_MS = 10;

/** The q-quantile (0..1) of a list of numbers, nearest rank. */
export function quantile(values: number[], q: number): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
