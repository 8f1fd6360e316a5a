/**
 * Stages report what they do as events; only cli/, commands/ and ui/ turn them into terminal output.
 * A stage takes an optional `report` callback and never writes to stdout itself.
 */
export type StageEvent =
  | { kind: 'step'; step: string; host?: string; detail?: string }
  | { kind: 'progress'; step: string; target?: string; done: number; total?: number; unit: 'bytes' | 'items' }
  | { kind: 'info'; message: string; host?: string }
  | { kind: 'warn'; message: string; host?: string; hint?: string }
  | { kind: 'debug'; message: string; host?: string };

export type Reporter = (event: StageEvent) => void;

/** A reporter that drops everything: the default for library callers and tests. */
export const silent: Reporter = () => {};
