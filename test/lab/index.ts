// The virtual Pi lab, for tests of flash, discover and bootstrap: see lab.ts.
export { Lab, createLab, type LabOptions, type LabHost, type AddHostOptions, type UpOptions } from './lab.js';
export type { ExecOptions, ExecResult } from './host-process.js';
export { BRIDGE_ADDRESS, LAB_SUBNET, PI_MAC_PREFIX } from './network-plan.js';
export { labSkipReason } from './root-required.js';
