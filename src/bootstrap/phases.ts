import { CancelledError } from '../errors.js';
import type { Reporter } from '../events.js';

/**
 * A bootstrap step (k0sctl's phase pattern): `run` does the work; the optional abilities let the manager
 * skip it (`shouldRun`), describe it without doing it (`dryRun`) and get ready (`prepare`). No phase needs a
 * clean-up: what a layer did is recorded in the bootstrap state, and a re-run resumes from there.
 */
export interface Phase<C> {
  title: string;
  prepare?(ctx: C): Promise<void>;
  shouldRun?(ctx: C): boolean | Promise<boolean>;
  /** Says what `run` would do; must change nothing. Phases without it are reported as "would run". */
  dryRun?(ctx: C): Promise<string[]>;
  run(ctx: C): Promise<void>;
}

export interface PhaseOutcome {
  title: string;
  status: 'ran' | 'skipped' | 'dry-run';
  ms: number;
  plan?: string[];
}

/** Runs phases in order; stops at the first failure, and before the next phase once `signal` is aborted. */
export async function runPhases<C>(
  phases: ReadonlyArray<Phase<C>>,
  ctx: C,
  options: { dryRun: boolean; report: Reporter; signal?: AbortSignal },
): Promise<PhaseOutcome[]> {
  const outcomes: PhaseOutcome[] = [];
  for (const phase of phases) {
    if (options.signal?.aborted)
      throw new CancelledError(`Stopped before ${phase.title.split(':')[0]}; \`pi-cluster bootstrap\` resumes there`);
    const t0 = Date.now();
    if (phase.shouldRun && !(await phase.shouldRun(ctx))) {
      outcomes.push({ title: phase.title, status: 'skipped', ms: 0 });
      options.report({ kind: 'step', step: phase.title, detail: 'skipped' });
      continue;
    }
    if (options.dryRun) {
      const plan = phase.dryRun ? await phase.dryRun(ctx) : ['would run'];
      outcomes.push({ title: phase.title, status: 'dry-run', ms: Date.now() - t0, plan });
      continue;
    }
    await phase.prepare?.(ctx);
    options.report({ kind: 'step', step: phase.title });
    await phase.run(ctx);
    outcomes.push({ title: phase.title, status: 'ran', ms: Date.now() - t0 });
  }
  return outcomes;
}
