// Stand-ins for kubeadm and the Kubernetes API server on a lab host: no kubeadm, kubelet or API server
// binary can run here (see FACTS). kubectl is the REAL client of this machine, copied onto the host.
// What is stood in: every kubeadm call (init phases' files, reset, token create/delete, join) and the API
// server's answers to /readyz and ConfigMap GETs. What is real: Ansible, the roles' tasks, kubectl, the lab host.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import type { Lab } from '../lab/index.js';

const standinDir = (): string => join(packageRoot(), 'test', 'fixtures', 'standin');
const HOST_DIR = '/usr/local/lib/kubeadm-standin';

/** The machine's real kubectl binary (through symlinks). */
export function realKubectl(): string {
  return realpathSync(execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim());
}

/** Puts the kubeadm stand-in at /usr/bin/kubeadm and this machine's real kubectl at /usr/bin/kubectl. */
export async function installStandins(lab: Lab, host: string): Promise<void> {
  // What the kubelet/kubeadm packages create on a real node.
  await lab.exec(host, ['mkdir', '-p', HOST_DIR, '/etc/kubernetes/manifests']);
  for (const name of ['kubeadm', 'kube-api-standin.py']) {
    await lab.exec(host, ['sh', '-c', `cat > ${HOST_DIR}/${name} && chmod 755 ${HOST_DIR}/${name}`], {
      input: readFileSync(join(standinDir(), name)),
    });
  }
  await lab.exec(host, ['ln', '-sf', `${HOST_DIR}/kubeadm`, '/usr/bin/kubeadm']);
  await lab.exec(host, ['sh', '-c', 'cat > /usr/bin/kubectl && chmod 755 /usr/bin/kubectl'], { input: readFileSync(realKubectl()) });
}

export interface StandinCall {
  argv?: string[];
  joined?: boolean;
  config?: string;
  config_mode?: string;
}

/** Every call the kubeadm stand-in logged on a host, in order. */
export async function standinCalls(lab: Lab, host: string): Promise<StandinCall[]> {
  const log = await lab.exec(host, ['sh', '-c', 'cat /var/log/kubeadm-standin.log 2>/dev/null || true']);
  return log.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as StandinCall);
}

/** The kubeadm sub-commands called (init, reset, join, token), without `version`. */
export async function standinCommands(lab: Lab, host: string): Promise<string[]> {
  return (await standinCalls(lab, host)).flatMap((call) => (call.argv && call.argv[0] !== 'version' ? [call.argv[0]] : []));
}
