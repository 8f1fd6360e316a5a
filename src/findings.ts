/**
 * What a check of the hosts found that needs action, in one shape for bootstrap's preflight and `status`:
 * on which host (or "cluster"), how bad, what is wrong, and how to fix it. `doctor`'s rows are checks of this
 * machine (DoctorCheck, ok ones included), with the same severities.
 */
export type Severity = 'fail' | 'warn';

export interface Finding {
  /** A host's inventory name, or "cluster". */
  host: string;
  severity: Severity;
  problem: string;
  fix: string;
}
