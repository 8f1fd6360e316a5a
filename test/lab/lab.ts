// A lab of virtual Raspberry Pis on this machine: each host is a network namespace on a bridge,
// booting OpenRC over a shared Debian root file system, with a real sshd and avahi-daemon.
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostDirs, seedHostDisk } from './host-disk.js';
import { bootHost, execInHost, findInit, killProcessesIn, type ExecOptions, type ExecResult } from './host-process.js';
import { DEFAULT_STATE_ROOT, labStateDir, readLabRecord, writeLabRecord, type HostRecord } from './lab-record.js';
import { createBridge, createHostNetwork, setHostAddress, setHostLink } from './network.js';
import {
  BRIDGE_ADDRESS,
  LAB_SUBNET,
  assertHostAddress,
  assertHostName,
  assertLabName,
  bridgeName,
  defaultHostAddress,
  netnsName,
  piMacAddress,
  vethName,
} from './network-plan.js';
import { logSize, waitForLogLine, waitUntilReady } from './readiness.js';
import { ensureRootfs } from './rootfs.js';
import { ensureKeyPair, knownHostsText, sshConfigText, type SshKeyPair } from './ssh-files.js';
import { claimSubnet } from './subnet-claim.js';
import { removeLabResources, teardownLab } from './teardown.js';

export interface LabOptions {
  /** Prefix of every namespace, link and folder of the lab (1 to 8 lower-case letters/digits). */
  name?: string;
  /** Private key that root accepts on the hosts (its .pub beside it); default: a fresh one per lab. */
  sshKey?: string;
  /** Where labs keep their runtime state; default /run/pi-cluster-lab. */
  stateRoot?: string;
  /** Where the root file system is cached; default ${XDG_CACHE_HOME:-~/.cache}/pi-cluster/lab. */
  rootfsCacheRoot?: string;
  /** Tear the lab down when this process ends (default true). The lab CLI turns it off. */
  cleanupOnExit?: boolean;
  bootTimeoutMs?: number;
  /** How long to wait for another process's lab to go down before giving up. */
  claimTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface LabHost {
  name: string;
  hostname: string;
  ip: string;
  mac: string;
  netns: string;
  running: boolean;
  acceptsLabKey: boolean;
}

export interface AddHostOptions {
  /** false: root does not accept the lab's key (a Pi that was never given it). Default true. */
  withKey?: boolean;
  /** The name the host calls itself and announces; default its lab name. Two hosts may share one. */
  hostname?: string;
  ip?: string;
  mac?: string;
  /** The host's SSH host key pair (e.g. taken from a card `pi-cluster flash` wrote); default a new one. */
  hostKey?: { private: string; public: string };
}

export interface UpOptions {
  /** Hosts are named prefix0, prefix1, ...; default "pi". */
  prefix?: string;
}

export class Lab {
  readonly name: string;
  readonly subnet = LAB_SUBNET;
  readonly bridgeAddress = BRIDGE_ADDRESS;
  readonly bridgeInterface: string;
  readonly stateDir: string;
  private readonly options: LabOptions;
  private readonly records = new Map<string, HostRecord>();
  private readonly running = new Set<string>();
  private rootfs = '';
  private key: SshKeyPair | undefined;
  private network: Promise<void> | undefined;
  private exitHooks: (() => void) | undefined;

  constructor(options: LabOptions = {}) {
    this.options = options;
    this.name = options.name ?? 'pclab';
    assertLabName(this.name);
    this.bridgeInterface = bridgeName(this.name);
    this.stateDir = labStateDir(this.stateRoot, this.name);
  }

  /** Picks up a lab that another process brought up (the lab CLI's status, stop, start). */
  static open(name: string, options: Omit<LabOptions, 'name'> = {}): Lab {
    const lab = new Lab({ cleanupOnExit: false, ...options, name });
    const record = readLabRecord(lab.stateDir);
    if (!record) throw new Error(`no lab "${name}" is up (nothing in ${lab.stateDir})`);
    lab.rootfs = record.rootfs;
    lab.key = { privateKeyPath: record.privateKeyPath, publicKeyPath: record.publicKeyPath };
    for (const host of record.hosts) {
      lab.records.set(host.name, host);
      if (findInit(host.netns) !== undefined) lab.running.add(host.name);
    }
    lab.network = Promise.resolve();
    return lab;
  }

  get hosts(): LabHost[] {
    return [...this.records.values()].map((record) => this.describe(record));
  }

  host(name: string): LabHost {
    return this.describe(this.record(name));
  }

  get privateKeyPath(): string {
    return this.key?.privateKeyPath ?? this.options.sshKey ?? join(this.stateDir, 'id_ed25519');
  }

  get publicKeyPath(): string {
    return this.key?.publicKeyPath ?? `${this.privateKeyPath}.pub`;
  }

  /** Every host's key, under its name, hostname, hostname.local and address. */
  get knownHostsPath(): string {
    return join(this.stateDir, 'known_hosts');
  }

  /** `ssh -F <this> pi0` reaches pi0 as root with the lab's key. */
  get sshConfigPath(): string {
    return join(this.stateDir, 'ssh_config');
  }

  /** The ssh command line that logs in to a host as root. */
  sshCommand(name: string): string[] {
    return ['ssh', '-i', this.privateKeyPath, '-o', `UserKnownHostsFile=${this.knownHostsPath}`, `root@${this.record(name).ip}`];
  }

  /** Brings up `count` hosts named prefix0..prefix{count-1} in parallel; resolves when all are up. */
  async up(count: number, options: UpOptions = {}): Promise<LabHost[]> {
    const prefix = options.prefix ?? 'pi';
    await this.ensureNetwork();
    const names = Array.from({ length: count }, (_, index) => `${prefix}${index}`);
    await Promise.all(names.filter((name) => !this.records.has(name)).map((name) => this.addHost(name)));
    return this.hosts;
  }

  async addHost(name: string, options: AddHostOptions = {}): Promise<LabHost> {
    assertHostName(name);
    const hostname = options.hostname ?? name;
    assertHostName(hostname);
    if (options.ip !== undefined) assertHostAddress(options.ip);
    await this.ensureNetwork();
    // From here to the first await, allocation is atomic: parallel addHost calls never collide.
    const record = this.allocate(name, hostname, options);
    this.records.set(name, record);
    const key = this.key as SshKeyPair;
    await createHostNetwork({ netns: record.netns, veth: record.veth, bridge: this.bridgeInterface, mac: record.mac, ip: record.ip });
    const authorizedKey = record.acceptsLabKey ? await readFile(key.publicKeyPath, 'utf8') : null;
    record.hostKey = await seedHostDisk(hostDirs(this.hostsDir, name), this.rootfs, { hostname, authorizedKey, hostKey: options.hostKey });
    this.save();
    await this.boot(record);
    return this.describe(record);
  }

  /** Kills all of a host's processes at once and takes its link down, like pulling the power; its disk stays. */
  async stop(name: string): Promise<void> {
    const record = this.record(name);
    killProcessesIn(record.netns);
    await setHostLink(record.netns, false);
    this.running.delete(name);
    this.log(`${name}: stopped`);
  }

  /** Boots a stopped host again from its disk. */
  async start(name: string): Promise<void> {
    const record = this.record(name);
    if (this.running.has(name)) return;
    await setHostLink(record.netns, true);
    await this.boot(record);
  }

  /** Gives a host a new address (as a DHCP server might); a running host announces it over mDNS. */
  async setAddress(name: string, ip: string): Promise<void> {
    assertHostAddress(ip);
    const record = this.record(name);
    const holder = [...this.records.values()].find((other) => other.ip === ip && other !== record);
    if (holder) throw new Error(`${ip} already belongs to ${holder.name}`);
    const avahiLog = this.avahiLog(name);
    const offset = logSize(avahiLog);
    await setHostAddress(record.netns, ip, this.running.has(name));
    record.ip = ip;
    this.save();
    if (this.running.has(name)) {
      await waitForLogLine(name, avahiLog, offset, `Registering new address record for ${ip}`, this.bootTimeoutMs);
    }
    this.log(`${name}: now at ${ip}`);
  }

  /** Runs a command inside a running host (its namespaces and root file system), without SSH. */
  async exec(name: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const record = this.record(name);
    const init = findInit(record.netns);
    if (init === undefined) throw new Error(`${name}: not running`);
    return execInHost(init, argv, options);
  }

  /** Removes processes, namespaces, links, mounts and files of this lab, including a crashed run's. */
  async down(): Promise<void> {
    this.removeExitHooks();
    teardownLab(this.name, this.stateRoot);
    this.records.clear();
    this.running.clear();
    this.network = undefined;
    this.key = undefined;
  }

  private get stateRoot(): string {
    return this.options.stateRoot ?? DEFAULT_STATE_ROOT;
  }

  private get hostsDir(): string {
    return join(this.stateDir, 'hosts');
  }

  private get bootTimeoutMs(): number {
    return this.options.bootTimeoutMs ?? 60_000;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private record(name: string): HostRecord {
    const record = this.records.get(name);
    if (!record) throw new Error(`lab "${this.name}" has no host "${name}"`);
    return record;
  }

  private describe(record: HostRecord): LabHost {
    const { name, hostname, ip, mac, netns, acceptsLabKey } = record;
    return { name, hostname, ip, mac, netns, acceptsLabKey, running: this.running.has(name) };
  }

  private avahiLog(name: string): string {
    return join(hostDirs(this.hostsDir, name).upper, 'var/log/avahi-daemon.log');
  }

  private allocate(name: string, hostname: string, options: AddHostOptions): HostRecord {
    if (this.records.has(name)) throw new Error(`lab "${this.name}" already has a host "${name}"`);
    const hosts = [...this.records.values()];
    const usedIndexes = new Set(hosts.map((host) => host.index));
    const usedAddresses = new Set(hosts.map((host) => host.ip));
    let index = 0;
    while (usedIndexes.has(index)) index++;
    let ip = options.ip;
    for (let candidate = index; ip === undefined; candidate++) {
      if (!usedAddresses.has(defaultHostAddress(candidate))) ip = defaultHostAddress(candidate);
    }
    if (usedAddresses.has(ip)) throw new Error(`${ip} already belongs to another host of lab "${this.name}"`);
    const mac = options.mac ?? piMacAddress(name, new Set(hosts.map((host) => host.mac)));
    return {
      name,
      hostname,
      ip,
      mac,
      index,
      netns: netnsName(this.name, name),
      veth: vethName(this.name, index),
      acceptsLabKey: options.withKey ?? true,
      hostKey: '',
    };
  }

  private async boot(record: HostRecord): Promise<void> {
    const started = Date.now();
    const dirs = hostDirs(this.hostsDir, record.name);
    const avahiLog = this.avahiLog(record.name);
    const logOffset = logSize(avahiLog);
    const { exited } = bootHost(record.netns, this.rootfs, dirs, record.hostname);
    await waitUntilReady({
      host: record.name,
      ip: record.ip,
      avahiLog,
      logOffset,
      consoleLog: dirs.consoleLog,
      exited,
      timeoutMs: this.bootTimeoutMs,
    });
    this.running.add(record.name);
    this.log(`${record.name}: up at ${record.ip} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  /** The lab's shared part, made once: subnet claim, root file system, key, bridge. */
  private ensureNetwork(): Promise<void> {
    this.network ??= (async () => {
      if (process.getuid?.() !== 0) throw new Error('the lab needs root: it makes network namespaces, a bridge and mounts');
      await claimSubnet({
        stateRoot: this.stateRoot,
        lab: this.name,
        persistent: this.options.cleanupOnExit === false,
        timeoutMs: this.options.claimTimeoutMs ?? 300_000,
        removeStaleLab: (lab) => removeLabResources(lab, this.stateRoot),
        log: (line) => this.log(line),
      });
      this.installExitHooks();
      removeLabResources(this.name, this.stateRoot);
      this.rootfs = await ensureRootfs({ cacheRoot: this.options.rootfsCacheRoot, log: (line) => this.log(line) });
      mkdirSync(this.hostsDir, { recursive: true, mode: 0o700 });
      this.key = await ensureKeyPair(this.privateKeyPath);
      await createBridge(this.bridgeInterface);
      this.save();
    })();
    return this.network;
  }

  private save(): void {
    const key = this.key as SshKeyPair;
    const hosts = [...this.records.values()];
    writeLabRecord(this.stateDir, { name: this.name, rootfs: this.rootfs, ...key, hosts });
    const known = hosts.filter((host) => host.hostKey !== '');
    writeFileSync(this.knownHostsPath, knownHostsText(known));
    writeFileSync(this.sshConfigPath, sshConfigText(known, key, this.knownHostsPath));
  }

  /** A test that fails or is interrupted must not leave namespaces, bridges or processes behind. */
  private installExitHooks(): void {
    if (this.options.cleanupOnExit === false || this.exitHooks) return;
    const cleanUp = (): void => {
      try {
        teardownLab(this.name, this.stateRoot);
      } catch (error) {
        process.stderr.write(`lab "${this.name}": cleanup failed: ${String(error)}\n`);
      }
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      this.removeExitHooks();
      cleanUp();
      process.kill(process.pid, signal); // our listener is gone: the signal now ends the process as usual
    };
    process.once('exit', cleanUp);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);
    this.exitHooks = () => {
      process.off('exit', cleanUp);
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
    };
  }

  private removeExitHooks(): void {
    this.exitHooks?.();
    this.exitHooks = undefined;
  }
}

export function createLab(options: LabOptions = {}): Lab {
  return new Lab(options);
}
