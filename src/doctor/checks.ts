import { access, constants, readFile, stat } from 'node:fs/promises';
import { networkInterfaces, platform } from 'node:os';
import { execa } from 'execa';
import type { ClusterConfig } from '../config/schema.js';
import { kubeMinor, kubeMinorOfAlpine, kubernetesReleases, supportNotice } from '../config/kubernetes-releases.js';
import { defaultKeyCandidates, resolveSshKeys } from '../config/ssh-keys.js';
import type { Severity } from '../findings.js';
import { compareVersions } from '../versions.js';
import { readFloors, type Floors } from './floors.js';

/** A row of `doctor`: one check of this machine, ok or not (its --json shape). */
export type Status = 'ok' | Severity;

export interface DoctorCheck {
  id: string;
  title: string;
  /** Which commands need this. */
  neededBy: string[];
  status: Status;
  detail: string;
  fix?: string;
}

export interface DoctorEnv {
  config: ClusterConfig;
  home?: string;
  /** Looks a program up and returns its `--version` output; undefined when it is not installed. */
  versionOf?: (program: string, args: string[]) => Promise<string | undefined>;
  /** The day end-of-life dates are judged on (tests); default today. */
  today?: Date;
  /** The Node.js version to judge; default the one running (process.versions.node). */
  nodeVersion?: string;
  /** The oldest Node.js and Terraform accepted; default package.json `engines` and terraform/versions.tf. */
  floors?: Floors;
}

async function versionOfProgram(program: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await execa(program, args, { timeout: 15_000, reject: true });
    return `${stdout}\n${stderr}`.trim();
  } catch (error) {
    return (error as { code?: string }).code === 'ENOENT' ? undefined : ((error as { stdout?: string }).stdout ?? '').trim() || undefined;
  }
}

export { compareVersions };

type Check = (env: Required<Pick<DoctorEnv, 'versionOf'>> & DoctorEnv) => Promise<DoctorCheck>;

const nodeVersion: Check = async ({ nodeVersion: version = process.versions.node, floors = readFloors() }) => {
  const ok = compareVersions(version, floors.node) >= 0;
  return {
    id: 'node',
    title: 'Node.js',
    neededBy: ['all'],
    status: ok ? 'ok' : 'fail',
    detail: `v${version}`,
    fix: ok ? undefined : `install Node.js ${floors.node} or newer (an LTS line: nodejs.org)`,
  };
};

const ansible: Check = async ({ versionOf }) => {
  const base = { id: 'ansible', title: 'ansible-playbook', neededBy: ['bootstrap', 'reset'] };
  const out = await versionOf('ansible-playbook', ['--version']);
  if (!out)
    return {
      ...base,
      status: 'fail',
      detail: 'not found on PATH',
      fix: 'install Ansible: `sudo apt-get install ansible` (Debian/Ubuntu), `brew install ansible` (macOS) or `pipx install ansible`',
    };
  const version = /core (\d+\.\d+\.\d+)/.exec(out)?.[1] ?? /(\d+\.\d+\.\d+)/.exec(out)?.[1];
  if (!version) return { ...base, status: 'warn', detail: 'installed, version not recognised', fix: 'check `ansible-playbook --version`' };
  const ok = compareVersions(version, '2.14.0') >= 0;
  return {
    ...base,
    status: ok ? 'ok' : 'fail',
    detail: `ansible-core ${version}`,
    fix: ok ? undefined : 'upgrade to ansible-core 2.14 or newer',
  };
};

const terraform: Check = async ({ versionOf, floors = readFloors() }) => {
  const base = { id: 'terraform', title: 'terraform', neededBy: ['make apply'] };
  const out = await versionOf('terraform', ['version']);
  if (!out)
    return {
      ...base,
      status: 'warn',
      detail: 'not found on PATH',
      fix: `install Terraform >= ${floors.terraform} (developer.hashicorp.com/terraform/install) before \`make apply\``,
    };
  const version = /Terraform v(\d+\.\d+\.\d+)/.exec(out)?.[1];
  const ok = version !== undefined && compareVersions(version, floors.terraform) >= 0;
  return {
    ...base,
    status: ok ? 'ok' : 'warn',
    detail: version ? `v${version}` : 'installed, version not recognised',
    fix: ok ? undefined : `use Terraform ${floors.terraform} or newer (terraform/versions.tf requires it)`,
  };
};

const kubectl: Check = async ({ versionOf }) => {
  const base = { id: 'kubectl', title: 'kubectl', neededBy: ['bootstrap (validation)', 'make show'] };
  const out = await versionOf('kubectl', ['version', '--client', '--output=yaml']);
  if (!out)
    return {
      ...base,
      status: 'warn',
      detail: 'not found on PATH',
      fix: 'install kubectl (kubernetes.io/docs/tasks/tools/) to check the cluster after bootstrap',
    };
  const version = /gitVersion: v?(\S+)/.exec(out)?.[1];
  return { ...base, status: 'ok', detail: version ? `client v${version}` : 'installed' };
};

const sshKeyPair: Check = async ({ config, home }) => {
  const base = { id: 'ssh-key', title: 'SSH key pair', neededBy: ['flash', 'discover', 'bootstrap'] };
  const keys = resolveSshKeys(config, home);
  if (!keys) {
    return {
      ...base,
      status: 'fail',
      detail: `no key pair configured and none of ${defaultKeyCandidates(home)
        .map((p) => `${p}.pub`)
        .join(', ')} exists`,
      fix: 'run `pi-cluster init --generate-key`, or `ssh-keygen -t ed25519`, or set ssh.publicKey in pi-cluster.yaml',
    };
  }
  try {
    const text = (await readFile(keys.publicKey, 'utf8')).trim();
    if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/=]+/.test(text)) {
      return {
        ...base,
        status: 'fail',
        detail: `${keys.publicKey} is not an OpenSSH public key`,
        fix: 'point ssh.publicKey at a .pub file written by ssh-keygen',
      };
    }
  } catch {
    return {
      ...base,
      status: 'fail',
      detail: `${keys.publicKey} cannot be read`,
      fix: 'check the path in ssh.publicKey, or create the key with `ssh-keygen -t ed25519`',
    };
  }
  try {
    const info = await stat(keys.privateKey);
    if ((info.mode & 0o077) !== 0) {
      return {
        ...base,
        status: 'fail',
        detail: `${keys.privateKey} is readable by others (mode ${(info.mode & 0o777).toString(8)})`,
        fix: `chmod 600 ${keys.privateKey}`,
      };
    }
  } catch {
    return {
      ...base,
      status: 'warn',
      detail: `public key ${keys.publicKey} found, but its private key ${keys.privateKey} is missing`,
      fix: 'discover and bootstrap need the private key: set ssh.privateKey or restore the key',
    };
  }
  return { ...base, status: 'ok', detail: `${keys.privateKey} (+ .pub)` };
};

const blockDevices: Check = async () => {
  const base = { id: 'block-devices', title: 'write SD cards', neededBy: ['flash --device'] };
  if (platform() === 'linux') {
    if (process.getuid?.() === 0) return { ...base, status: 'ok', detail: 'running as root' };
    const groups = await versionOfProgram('id', ['-Gn']);
    if (groups?.split(/\s+/).includes('disk')) return { ...base, status: 'ok', detail: 'member of the disk group' };
    return {
      ...base,
      status: 'warn',
      detail: 'not root and not in the disk group',
      fix: 'run `sudo pi-cluster flash ...`, or flash to an image file with --output',
    };
  }
  if (platform() === 'darwin') {
    return {
      ...base,
      status: process.getuid?.() === 0 ? 'ok' : 'warn',
      detail: process.getuid?.() === 0 ? 'running as root' : 'raw disks need root',
      fix: 'run `sudo pi-cluster flash ...`',
    };
  }
  return {
    ...base,
    status: 'warn',
    detail: `${platform()} is not supported for --device`,
    fix: 'use --output FILE and write it with another tool',
  };
};

const multicastInterface: Check = async () => {
  const base = { id: 'network', title: 'LAN interface for mDNS', neededBy: ['discover'] };
  const candidates = Object.entries(networkInterfaces()).flatMap(([name, addresses]) =>
    (addresses ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => `${name} ${a.address}`),
  );
  if (candidates.length === 0)
    return { ...base, status: 'warn', detail: 'no non-loopback IPv4 interface is up', fix: 'connect to the LAN the Pis are on' };
  return { ...base, status: 'ok', detail: candidates.join(', ') };
};

const stateFolder: Check = async () => {
  const base = { id: 'workdir', title: 'working folder writable', neededBy: ['discover', 'bootstrap'] };
  try {
    await access(process.cwd(), constants.W_OK);
    return { ...base, status: 'ok', detail: process.cwd() };
  } catch {
    return {
      ...base,
      status: 'fail',
      detail: `${process.cwd()} is not writable`,
      fix: 'run pi-cluster from a folder you own (it writes pi-hosts and .pi-cluster/ there)',
    };
  }
};

/** The Kubernetes minor the configured Alpine release carries (kubernetes_releases.yml), and its support. */
export const kubernetesSupport: Check = async (env) => {
  const base = { id: 'kubernetes', title: 'Kubernetes version supported', neededBy: ['flash', 'bootstrap'] };
  const alpine = env.config.alpine.version;
  const minor = env.config.kubernetes.version ? kubeMinor(env.config.kubernetes.version) : kubeMinorOfAlpine(alpine);
  if (!minor) {
    return {
      ...base,
      status: 'warn',
      detail: `pi-cluster does not know which Kubernetes Alpine ${alpine} carries`,
      fix: `use an Alpine release it knows: ${Object.keys(kubernetesReleases().alpine).join(', ')}`,
    };
  }
  const notice = supportNotice(minor, env.today ?? new Date());
  const eol = kubernetesReleases().end_of_life[minor];
  if (notice) return { ...base, status: notice.severity, detail: notice.problem, fix: notice.fix };
  return { ...base, status: 'ok', detail: `Kubernetes ${minor} (Alpine ${alpine})${eol ? `, supported until ${eol}` : ''}` };
};

export const checks: Check[] = [
  kubernetesSupport,
  nodeVersion,
  sshKeyPair,
  ansible,
  terraform,
  kubectl,
  blockDevices,
  multicastInterface,
  stateFolder,
];

/** Runs every check in parallel; never throws for a missing tool, it reports it. */
export async function runDoctor(env: DoctorEnv): Promise<DoctorCheck[]> {
  const full = { ...env, versionOf: env.versionOf ?? versionOfProgram };
  return Promise.all(checks.map((check) => check(full)));
}
