export { DISCOVER_PROBES, factsScript, FSYNC_PROBES, PREFLIGHT_PROBES, PROBES, STATUS_PROBES, type Probe } from './script.js';
export { factSections, parseFacts, type FactsContext, type HostFacts } from './parse.js';
export { decodeThrottled, type Throttling } from './throttling.js';
export { FSYNC_P99_LIMIT_MS, piChecks, quantile } from './pi-checks.js';
