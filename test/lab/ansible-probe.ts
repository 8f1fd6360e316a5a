// Runs ad-hoc Ansible modules against lab hosts with the lab's key and known_hosts, the way
// bootstrap will reach real Pis, and returns each host's result as JSON.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { LabHost } from './lab.js';

export interface AnsibleAccess {
  privateKeyPath: string;
  knownHostsPath: string;
}

export type AnsibleHostResult = Record<string, unknown> & { failed?: boolean; unreachable?: boolean; msg?: string };

export async function runAnsibleModule(
  access: AnsibleAccess,
  hosts: readonly LabHost[],
  module: string,
  args = '',
): Promise<Record<string, AnsibleHostResult>> {
  const dir = await mkdtemp(join(tmpdir(), 'pi-cluster-lab-ansible-'));
  try {
    const inventory = join(dir, 'hosts.ini');
    const lines = hosts.map((host) => `${host.name} ansible_host=${host.ip}`);
    await writeFile(
      inventory,
      `[lab]\n${lines.join('\n')}\n\n[lab:vars]\nansible_user=root\nansible_python_interpreter=/usr/bin/python3\n`,
    );
    const result = await execa(
      'ansible',
      ['lab', '-i', inventory, '--private-key', access.privateKeyPath, '-m', module, ...(args ? ['-a', args] : [])],
      {
        reject: false,
        env: {
          ANSIBLE_STDOUT_CALLBACK: 'json',
          ANSIBLE_LOAD_CALLBACK_PLUGINS: '1',
          ANSIBLE_HOST_KEY_CHECKING: 'True',
          // No ControlPersist: no ssh master may outlive the test.
          ANSIBLE_SSH_ARGS: `-o ControlMaster=no -o UserKnownHostsFile=${access.knownHostsPath} -o StrictHostKeyChecking=yes`,
          ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
          ANSIBLE_NOCOLOR: '1',
        },
      },
    );
    const start = result.stdout.indexOf('{');
    if (start < 0) throw new Error(`ansible printed no JSON (exit ${result.exitCode}): ${result.stderr}`);
    const report = JSON.parse(result.stdout.slice(start)) as { plays: { tasks: { hosts: Record<string, AnsibleHostResult> }[] }[] };
    return report.plays[0].tasks[0].hosts;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
