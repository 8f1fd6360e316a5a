import { z } from 'zod';
import { compareVersions } from '../versions.js';
import { alpineBranch, oldestAlpineBranch } from './kubernetes-releases.js';
import { addressProblems, gatewayProblems, parseHostAddress } from './addresses.js';
import { cryptHashProblem } from './crypt-hash.js';
import { keymapProblem } from './keymap.js';
import { COUNTRY, ENV_NAME, ssidProblem } from './wifi.js';
import { cidrContains, isIPv4, parseCidr, parseRange, rangeContains } from './net.js';
import { hostOrAddress, hostPort, interfaceName, localPath, shown, unsafePathCharacter } from './strings.js';

/** Parses sizes such as 1GiB, 512MiB, 256M, 1073741824. */
export function parseSize(text: string | number): number | string {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text > 0 ? text : `${text} is not a positive whole number of bytes`;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|K|KB|KiB|M|MB|MiB|G|GB|GiB|T|TB|TiB)?\s*$/i.exec(text);
  if (!match) return `${text} is not a size (expected e.g. 1GiB, 512MiB)`;
  const unit = (match[2] ?? 'B').toUpperCase().replace('IB', '').replace(/B$/, '') || 'B';
  const factor = { B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[unit] ?? 1;
  const bytes = Math.round(Number(match[1]) * factor);
  return bytes > 0 ? bytes : `${text} is not a positive size`;
}

const ipv4 = z.string().refine(isIPv4, { error: (issue) => `${String(issue.input)} is not an IPv4 address` });

/** Address text goes into tfvars and manifests as written: only the characters an address holds. */
const cidr = z.string().superRefine((value, ctx) => {
  if (!/^[0-9./]+$/.test(value))
    return void ctx.addIssue({ code: 'custom', message: `${shown(value)} is not a CIDR (expected a.b.c.d/n, e.g. 192.168.1.0/24)` });
  const parsed = parseCidr(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const range = z.string().superRefine((value, ctx) => {
  if (!/^[0-9.]+(?: ?- ?[0-9.]+)?$/.test(value))
    return void ctx.addIssue({ code: 'custom', message: `${shown(value)} is not an address range (expected a.b.c.d-a.b.c.e)` });
  const parsed = parseRange(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSize(value);
  if (typeof bytes === 'string') {
    ctx.addIssue({ code: 'custom', message: bytes });
    return z.NEVER;
  }
  return bytes;
});

/** A DNS name or an IPv4 address, nothing else (it lands in config files the Pi reads). */
const hostOrIpv4 = z
  .string()
  .refine(
    (value) =>
      isIPv4(value) ||
      (value.length <= 253 &&
        /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(value) &&
        !/^[\d.]+$/.test(value)),
    {
      error: (issue) => `${JSON.stringify(issue.input)} is not a host name or an IPv4 address`,
    },
  );

/** Wi-Fi fields shared by network.wifi and hosts.<name>.wifi. */
const wifiSsid = z.string().superRefine((value, ctx) => {
  const problem = ssidProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} ${problem}` });
});
/** Regulatory domain (which channels and power the radio may use): two capital letters, e.g. DE. */
const wifiCountry = z.string().regex(COUNTRY, 'must be a two-letter country code like DE or US');
/** A file holding the passphrase (one line); relative to the working folder. */
const passphraseFile = z.string().min(1);
/** An environment variable holding the passphrase. */
const passphraseEnv = z.string().regex(ENV_NAME, 'must be an environment variable name like PI_WIFI_PASSPHRASE');
const onePassphraseSource = { error: 'set passphraseFile or passphraseEnv, not both' };

const HOSTNAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const hostname = z.string().regex(HOSTNAME, 'must be lower-case letters, digits and dashes, starting with a letter (RFC 1123)');

/** One host's own settings under hosts.<hostname>. */
const hostSettings = z.strictObject({
  /** A fixed IPv4 address with its prefix length (192.168.1.51/24); default: DHCP. */
  address: z
    .string()
    .superRefine((value, ctx) => {
      const parsed = parseHostAddress(value);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    })
    .optional(),
  /**
   * This host's Wi-Fi: false for none (whatever the cluster has), or fields that replace the cluster's
   * (network.wifi and the --wifi-* flags) for this host only; the passphrase only from a file or a variable.
   */
  wifi: z
    .union(
      [
        z.literal(false),
        z
          .strictObject({
            ssid: wifiSsid.optional(),
            country: wifiCountry.optional(),
            passphraseFile: passphraseFile.optional(),
            passphraseEnv: passphraseEnv.optional(),
          })
          .refine((w) => !(w.passphraseFile && w.passphraseEnv), onePassphraseSource),
      ],
      { error: 'must be false (no Wi-Fi on this host) or {ssid, country, passphraseFile or passphraseEnv}' },
    )
    .optional(),
});
export type HostSettings = z.output<typeof hostSettings>;

const hostsShape = {
  prefix: hostname.default('pi'),
  /** Number of the first host: pi0, pi1, ... */
  start: z.number().int().min(0).default(0),
  /** How many cards `flash --count` writes when not told otherwise. */
  count: z.number().int().min(1).max(256).default(3),
};

/** The default Alpine release: the newest whose Kubernetes minor is supported (see kubernetes_releases.yml). */
export const DEFAULT_ALPINE_VERSION = '3.24.2';

const semver = z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a full version like 1.34.2');

/** Default options of an NFS mount (nfs.mounts[].options). */
export const DEFAULT_NFS_MOUNT_OPTIONS = 'nfsvers=4.1,hard,noatime';

/** An absolute path in its plain form (so equal paths are equal strings) that fits in an fstab field. */
const absolutePath = (where: string) =>
  z.string().superRefine((value, ctx) => {
    const plain = `/${value
      .split('/')
      .filter((part) => part && part !== '.')
      .join('/')}`;
    const unsafe = unsafePathCharacter(value);
    const problem = !value.startsWith('/')
      ? `is not an absolute path ${where}`
      : /\s/.test(value)
        ? 'contains a space, tab or newline (fstab cannot hold them)'
        : unsafe
          ? `contains ${JSON.stringify(unsafe)} (a path written into fstab, tfvars and manifests holds no quotes or shell characters)`
          : value.split('/').includes('..')
            ? 'contains ..'
            : value !== plain
              ? `is not in plain form (write ${plain})`
              : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: `${shown(value)} ${problem}` });
  });

const nfsMount = z.strictObject({
  /** The exported folder on nfs.server. */
  path: absolutePath('on the NFS server'),
  /** Where it appears on every node. */
  mountPoint: absolutePath('on the nodes').refine((value) => value !== '/', {
    error: "/ cannot be a mount point (the share would hide the node's own root)",
  }),
  /** Mount options (fstab's fourth field). */
  options: z
    .string()
    .regex(/^[^\s,]+(,[^\s,]+)*$/, 'must be comma-separated mount options without spaces, like nfsvers=4.1,hard,noatime')
    .default(DEFAULT_NFS_MOUNT_OPTIONS),
});

export const configSchema = z
  .strictObject({
    cluster: z
      .strictObject({
        name: hostname.default('pi-cluster'),
        domain: z
          .string()
          .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a DNS domain like home.arpa')
          .default('home.arpa'),
      })
      .prefault({}),
    ssh: z
      .strictObject({
        /** Public key put on every card; default: ~/.ssh/id_ed25519.pub, else ~/.ssh/id_rsa.pub. */
        publicKey: localPath.optional(),
        /** Private key used by discover and bootstrap; default: the public key path without .pub. */
        privateKey: localPath.optional(),
      })
      .prefault({}),
    hosts: z
      // prefix, start, count, and one entry per hostname: `pi1: {address: 192.168.1.51/24}`. Checked in one
      // pass so a bad count and a misspelt key are both reported.
      .record(z.string(), z.unknown())
      .transform((value, ctx) => {
        const known: Record<string, unknown> = {};
        const byName: Record<string, HostSettings> = {};
        for (const [name, entry] of Object.entries(value)) {
          if (name in hostsShape) {
            known[name] = entry;
          } else if (!HOSTNAME.test(name) || typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: `unknown setting hosts.${name}: hosts has prefix, start, count and one entry per hostname (lower-case, like pi1: {address: 192.168.1.51/24})`,
            });
          } else {
            const parsed = hostSettings.safeParse(entry);
            if (parsed.success) byName[name] = parsed.data;
            else for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [name, ...issue.path] } as never);
          }
        }
        const parsed = z.object(hostsShape).safeParse(known, { reportInput: true });
        if (!parsed.success) {
          for (const issue of parsed.error.issues) ctx.addIssue(issue as never);
          return z.NEVER;
        }
        return { ...parsed.data, byName };
      })
      .prefault({}),
    alpine: z
      .strictObject({
        /** A release (3.24.2) or a branch (3.24: its latest point release, looked up when flashing). */
        version: z
          .string()
          .regex(/^\d+\.\d+(\.\d+)?$/, 'must be an Alpine release like 3.24.2 or a branch like 3.24')
          // The table is read only when a version is checked, not when this module loads (start-up).
          .refine((v) => compareVersions(alpineBranch(v), oldestAlpineBranch()) >= 0, {
            error: () => `is older than Alpine ${oldestAlpineBranch()}: its kubeadm cannot read the v1beta4 config pi-cluster writes`,
          })
          .default(DEFAULT_ALPINE_VERSION),
        arch: z.enum(['aarch64']).default('aarch64'),
        /** A time zone of the tz database (Europe/Berlin); default: none, Alpine's UTC. */
        timezone: z
          .string()
          .refine((value) => /^[A-Za-z][A-Za-z0-9_+-]{0,29}(\/[A-Za-z0-9][A-Za-z0-9_+-]{0,29}){0,2}$/.test(value), {
            error: (issue) => `${JSON.stringify(issue.input)} must be a time zone name like Europe/Berlin or UTC`,
          })
          .optional(),
        /** The console keyboard layout, a kbd-bkeymaps name (de, de-nodeadkeys, fr, us); default: none, the kernel's US map. */
        keymap: z
          .string()
          .superRefine((value, ctx) => {
            const problem = keymapProblem(value);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          })
          .optional(),
        /** Written as lines of the card's /etc/apk/repositories: no white space, quotes or shell characters. */
        mirror: z
          .string()
          .superRefine((value, ctx) => {
            if (!/^https?:\/\/[A-Za-z0-9._~:/%@+=,-]+$/.test(value) || !URL.canParse(value)) {
              ctx.addIssue({
                code: 'custom',
                message: `${shown(value)} is not a plain http(s) URL (no spaces, quotes or shell characters)`,
              });
            }
          })
          .default('https://dl-cdn.alpinelinux.org/alpine'),
      })
      .prefault({}),
    console: z
      .strictObject({
        /** Root's password at the Pi's keyboard, as a crypt hash (`openssl passwd -6`); default: locked. */
        passwordHash: z
          .string()
          .superRefine((value, ctx) => {
            const problem = cryptHashProblem(value);
            if (problem) ctx.addIssue({ code: 'custom', message: `the value ${problem}` });
          })
          .optional(),
        /** A file holding that hash (one line); relative to the working folder. */
        passwordHashFile: z.string().min(1).optional(),
      })
      .prefault({})
      .refine((c) => !(c.passwordHash && c.passwordHashFile), { error: 'set passwordHash or passwordHashFile, not both' }),
    card: z
      .strictObject({
        bootSize: size.default(2 ** 30),
      })
      .prefault({}),
    network: z
      .strictObject({
        /** The LAN the Pis are on; derived from the nodes' addresses when not set. */
        subnet: cidr.optional(),
        /** The Pis' wired interface: written into the card's /etc/network/interfaces. */
        interface: interfaceName.default('eth0'),
        /** The router: default route of hosts with a fixed address (DHCP hosts learn it from DHCP). */
        gateway: ipv4.optional(),
        /** NTP servers for chrony on every Pi (names or IPv4 addresses); default: Alpine's pool.ntp.org. */
        ntp: z.array(hostOrIpv4).min(1).max(8).optional(),
        /** Wi-Fi for every Pi (wired stays preferred); the passphrase only from a file, a variable or the prompt. */
        wifi: z
          .strictObject({
            ssid: wifiSsid,
            country: wifiCountry,
            passphraseFile: passphraseFile.optional(),
            passphraseEnv: passphraseEnv.optional(),
          })
          .refine((w) => !(w.passphraseFile && w.passphraseEnv), onePassphraseSource)
          .optional(),
        /** Name servers of hosts with a fixed address (up to 3, musl reads no more); default: the gateway. */
        dns: z.array(ipv4).min(1).max(3).optional(),
        metallb: z
          .strictObject({
            /** Addresses MetalLB may hand out; default: .200-.250 of the subnet. */
            range: range.optional(),
          })
          .prefault({}),
        /** Fixed LAN addresses for services that need them. */
        services: z
          .strictObject({
            traefik: ipv4.optional(),
            adguard: ipv4.optional(),
          })
          .prefault({}),
      })
      .prefault({}),
    kubernetes: z
      .strictObject({
        /** Kubernetes version for kubeadm; default: the version of the kubeadm installed on the master. */
        version: semver.optional(),
        podCidr: cidr.default('10.244.0.0/16'),
        serviceCidr: cidr.default('10.96.0.0/12'),
        /** host[:port] the API is reached at; default: the first master's address, port 6443. */
        controlPlaneEndpoint: hostPort.optional(),
        /** Let ordinary pods run on the master (small clusters). */
        untaintMaster: z.boolean().default(false),
      })
      .prefault({}),
    certs: z
      .strictObject({
        /** A daily job on each master renews the control-plane certificates when under 60 days are left (written by bootstrap). */
        autoRenew: z.boolean().default(false),
      })
      .prefault({}),
    nfs: z
      .strictObject({
        server: hostOrAddress({ ipv6: true }).optional(),
        path: absolutePath('on the NFS server').default('/export/pi-cluster'),
        backupPath: absolutePath('on the NFS server').default('/export/pi-cluster/etcd-backups'),
        /** Shares of nfs.server mounted on every node (fstab entries, mounted by 30-node). */
        mounts: z.array(nfsMount).default([]),
      })
      .prefault({}),
    addons: z
      .strictObject({
        flannel: z.boolean().default(true),
        metallb: z.boolean().default(true),
        traefik: z.boolean().default(true),
        adguard: z.boolean().default(true),
        monitoring: z.boolean().default(true),
        dashboard: z.boolean().default(true),
        etcdBackup: z.boolean().default(true),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    // Cross-field checks: service addresses and the MetalLB range belong to the subnet.
    const subnet = config.network.subnet ? parseCidr(config.network.subnet) : undefined;
    const pool = config.network.metallb.range ? parseRange(config.network.metallb.range) : undefined;
    if (subnet && typeof subnet !== 'string') {
      if (pool && typeof pool !== 'string' && (!cidrContains(subnet, pool.start) || !cidrContains(subnet, pool.end))) {
        ctx.addIssue({
          code: 'custom',
          path: ['network', 'metallb', 'range'],
          message: `${config.network.metallb.range} is not inside the subnet ${config.network.subnet}`,
        });
      }
      for (const [name, ip] of Object.entries(config.network.services)) {
        if (ip && isIPv4(ip) && !cidrContains(subnet, ip)) {
          ctx.addIssue({
            code: 'custom',
            path: ['network', 'services', name],
            message: `${ip} is not inside the subnet ${config.network.subnet}`,
          });
        }
      }
    }
    for (const [name, ip] of Object.entries(config.network.services)) {
      if (ip && isIPv4(ip) && pool && typeof pool !== 'string' && !rangeContains(pool, ip)) {
        ctx.addIssue({
          code: 'custom',
          path: ['network', 'services', name],
          message: `${ip} is outside the MetalLB range ${config.network.metallb.range}; MetalLB can only assign addresses from its pool`,
        });
      }
    }
    // Fixed host addresses and the gateway: inside the subnet, clear of MetalLB and the services, each once.
    for (const message of gatewayProblems(config)) ctx.addIssue({ code: 'custom', path: ['network', 'gateway'], message });
    const addresses = Object.fromEntries(
      Object.entries(config.hosts.byName).flatMap(([name, host]) => (host.address ? [[name, host.address]] : [])),
    );
    for (const problem of addressProblems(config, addresses)) {
      if (problem.hostname && typeof parseHostAddress(addresses[problem.hostname]!) === 'string') continue; // the field reported it
      ctx.addIssue({
        code: 'custom',
        path: problem.hostname ? ['hosts', problem.hostname, 'address'] : ['network', 'gateway'],
        message: problem.message,
      });
    }
    // NFS mounts: a server to mount from, and each mount point once.
    const { mounts } = config.nfs;
    if (mounts.length > 0 && !config.nfs.server?.trim()) {
      ctx.addIssue({
        code: 'custom',
        path: ['nfs', 'mounts'],
        message: `${mounts.length} mount${mounts.length > 1 ? 's are' : ' is'} listed but nfs.server is not set; set nfs.server to the NFS server's address or name, or remove nfs.mounts`,
      });
    }
    const seen = new Map<string, number>();
    mounts.forEach((mount, index) => {
      const first = seen.get(mount.mountPoint);
      if (first === undefined) seen.set(mount.mountPoint, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['nfs', 'mounts', index, 'mountPoint'],
          message: `${mount.mountPoint} is already the mount point of nfs.mounts.${first}; give each mount its own mountPoint`,
        });
    });
  });

export type ClusterConfig = z.output<typeof configSchema>;
