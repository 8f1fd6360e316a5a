/** `pi-cluster patch`: the operating system updates, rolled one node at a time (src/rolling/patch.ts). */
import { patchPlan } from '../../rolling/patch.js';
import type { RollingOutcome } from '../../rolling/runner.js';
import { rollingCommand, type RollingCommandOptions } from '../rolling.js';

export type PatchCommandOptions = RollingCommandOptions;

export async function patchCommand(options: PatchCommandOptions): Promise<RollingOutcome> {
  return rollingCommand(options, ({ inventory }) => patchPlan(inventory));
}
