// The lab needs root. Locally, a test that needs it is skipped with the reason; in CI it must fail
// instead, so that a CI without root can never pass by running none of the lab tests.

/** undefined when lab tests can run; the reason to skip them otherwise. Throws in CI without root. */
export function labSkipReason(): string | undefined {
  if (process.getuid?.() === 0) return undefined;
  const reason = 'the virtual Pi lab needs root (network namespaces, a bridge, mounts)';
  if (process.env.CI) throw new Error(`${reason}, and CI must run the lab tests`);
  return `${reason}: run as root to include these tests`;
}
