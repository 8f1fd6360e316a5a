// The reference of the discover benchmarks: avahi-browse needs an avahi-daemon it reaches over D-Bus. This
// machine has no system bus, so a private dbus-daemon runs for the benchmark and, for every avahi round, a
// fresh avahi-daemon in the root namespace, allowed only on the lab's bridge, publishing nothing, with its own
// /run/avahi-daemon (a mount namespace with a tmpfs): fresh each round, so its cache is as cold as discover's.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private system bus and a fresh browse-only avahi-daemon on the bridge. */
export class ReferenceAvahi {
  private readonly dir = mkdtempSync(join(tmpdir(), 'pi-cluster-bench-avahi-'));
  private dbus: ChildProcess | undefined;
  private daemon: ChildProcess | undefined;
  readonly env: NodeJS.ProcessEnv;

  constructor(bridge: string) {
    this.env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${join(this.dir, 'bus')}` };
    writeFileSync(
      join(this.dir, 'dbus.conf'),
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${join(this.dir, 'bus')}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`,
    );
    writeFileSync(
      join(this.dir, 'avahi-daemon.conf'),
      [
        '[server]',
        'use-ipv4=yes',
        'use-ipv6=no',
        `allow-interfaces=${bridge}`,
        'enable-dbus=yes',
        'ratelimit-interval-usec=1000000',
        'ratelimit-burst=1000',
        '[wide-area]',
        'enable-wide-area=no',
        '[publish]',
        'disable-publishing=yes',
        '',
      ].join('\n'),
    );
  }

  async startBus(): Promise<void> {
    this.dbus = spawn('dbus-daemon', ['--nofork', `--config-file=${join(this.dir, 'dbus.conf')}`, '--print-address'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      this.dbus!.stdout!.once('data', () => resolve());
      this.dbus!.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
    });
  }

  /** A fresh daemon (empty cache); resolves when it says it is running. */
  async startDaemon(): Promise<void> {
    const script = `mount --make-rprivate / && mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon && exec avahi-daemon -f ${join(this.dir, 'avahi-daemon.conf')} --no-drop-root --no-chroot --no-rlimits`;
    this.daemon = spawn('unshare', ['--mount', 'sh', '-c', script], { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`avahi-daemon did not start:\n${log}`)), 10_000);
      this.daemon!.stderr!.on('data', (chunk) => {
        log += chunk;
        if (log.includes('Server startup complete')) {
          clearTimeout(timer);
          resolve();
        }
      });
      this.daemon!.once('exit', (code) => reject(new Error(`avahi-daemon exited with ${code}:\n${log}`)));
    });
  }

  async stopDaemon(): Promise<void> {
    await stop(this.daemon);
    this.daemon = undefined;
  }

  async close(): Promise<void> {
    await this.stopDaemon();
    await stop(this.dbus);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
