// Runs a lab bootstrap in its own process so a test can kill it with SIGKILL in the middle of a layer.
// Input: PI_CLUSTER_TEST_OPTIONS (JSON of labBootstrapOptions without functions).
// Prints "LAYER <id> TASK <n>" lines as the events arrive.
import { bootstrap, type BootstrapOptions } from '../../src/bootstrap/bootstrap.js';

const options = JSON.parse(process.env.PI_CLUSTER_TEST_OPTIONS ?? '{}') as BootstrapOptions;
const tasks = new Map<string, number>();
await bootstrap({
  ...options,
  report: () => {},
  onAnsibleEvent: (layer, event) => {
    if (event.event !== 'task') return;
    const n = (tasks.get(layer.id) ?? 0) + 1;
    tasks.set(layer.id, n);
    process.stdout.write(`LAYER ${layer.id} TASK ${n}\n`);
  },
});
process.stdout.write('DONE\n');
