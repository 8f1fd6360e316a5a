import type { Command } from 'commander';
import { register as addons } from './addons/index.js';
import { register as bootstrap } from './bootstrap/index.js';
import { register as certs } from './certs/index.js';
import { register as discover } from './discover/index.js';
import { register as doctor } from './doctor/index.js';
import { register as flash } from './flash/index.js';
import { register as etcd } from './etcd/index.js';
import { register as init } from './init/index.js';
import { register as node } from './node/index.js';
import { register as patch } from './patch/index.js';
import { register as reset } from './reset/index.js';
import { register as status } from './status/index.js';
import { register as upgrade } from './upgrade/index.js';

/** Every command, in the order `--help` lists them. Each file only declares flags; actions load lazily. */
export const commands: Array<(program: Command) => void> = [
  init,
  doctor,
  flash,
  discover,
  bootstrap,
  status,
  certs,
  upgrade,
  patch,
  node,
  reset,
  addons,
  etcd,
];
