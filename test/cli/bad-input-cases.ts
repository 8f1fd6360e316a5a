// The cases of the bad-input corpus (bad-input-corpus.test.ts). {release}, {key} (a .pub), {priv},
// {mismatch} (a release with a wrong .sha256) and {work} (the case's scratch folder) are filled in.
export interface BadInput {
  name: string;
  args: string[];
  /** Files written into the scratch folder first (a name ending in / is a folder). */
  files?: Record<string, string>;
  /** The one error line. */
  expect: RegExp;
  /** Exit code (default 1). */
  code?: number;
  /** Must not appear on stderr: a step that should not have started. */
  notBefore?: RegExp;
}

const HOSTS = '[masters]\npi0 ansible_host=198.51.100.10\n\n[workers]\npi1 ansible_host=198.51.100.11\n';
const PROJECT = { 'pi-hosts': HOSTS, '.pi-cluster/known_hosts': '' };

type Flags = Record<string, string | undefined>;
/** A flash that would work but for the flags changed in `changes` (undefined drops a flag). */
function flash(changes: Flags = {}, ...extra: string[]): string[] {
  const flags: Flags = {
    '--output': 'out.img',
    '--image': '{release}',
    '--ssh-key': '{key}',
    '--hostname': 'pi0',
    '--boot-size': '64MiB',
    ...changes,
  };
  return ['flash', ...Object.entries(flags).flatMap(([flag, value]) => (value === undefined ? [] : [flag, value])), ...extra];
}

const cases: BadInput[] = [];
const add = (name: string, args: string[], expect: RegExp, more: Partial<BadInput> = {}) => cases.push({ name, args, expect, ...more });

// ---- pi-cluster.yaml: every string that reaches a generated file, and the rest of the schema.
const configCases: Array<[string, string, RegExp]> = [
  [
    'interface with a newline and an up line',
    'network:\n  interface: "eth0\\nup reboot"\n',
    /network\.interface: "eth0\\nup reboot" is not a network interface name/,
  ],
  ['interface with a space', 'network:\n  interface: "eth 0"\n', /network\.interface: .* is not a network interface name/],
  ['interface with $()', 'network:\n  interface: "$(reboot)"\n', /network\.interface: \$\(reboot\) is not a network interface name/],
  ['interface with ;', 'network:\n  interface: "eth0;reboot"\n', /network\.interface: eth0;reboot is not/],
  ['interface of 16 characters', 'network:\n  interface: enx0123456789abc\n', /1 to 15 characters/],
  ['interface with a quote', 'network:\n  interface: "eth0\'"\n', /network\.interface: eth0' is not/],
  ['nfs.server with ;', 'nfs:\n  server: "nas;reboot"\n', /nfs\.server: nas;reboot is not a host name/],
  ['nfs.server with a quote', 'nfs:\n  server: "nas\\""\n', /nfs\.server: nas" is not a host name/],
  ['nfs.server option-like', 'nfs:\n  server: "-oProxyCommand=id"\n', /nfs\.server: -oProxyCommand=id is not a host name/],
  ['nfs.server with a newline', 'nfs:\n  server: "nas\\nx"\n', /nfs\.server: "nas\\nx" is not a host name/],
  ['nfs.server with a space', 'nfs:\n  server: "my nas"\n', /nfs\.server: "my nas" is not/],
  ['controlPlaneEndpoint port 99999', 'kubernetes:\n  controlPlaneEndpoint: "k8s:99999"\n', /has port 99999, outside 1-65535/],
  [
    'controlPlaneEndpoint with a newline',
    'kubernetes:\n  controlPlaneEndpoint: "k8s:6443\\nx: y"\n',
    /controlPlaneEndpoint: .* is not host\[:port\]/,
  ],
  ['controlPlaneEndpoint a URL', 'kubernetes:\n  controlPlaneEndpoint: "https://k8s:6443"\n', /is not host\[:port\]/],
  ['controlPlaneEndpoint with $()', 'kubernetes:\n  controlPlaneEndpoint: "$(id):6443"\n', /is not host\[:port\]/],
  ['nfs.path relative', 'nfs:\n  path: export/pi\n', /nfs\.path: export\/pi is not an absolute path/],
  ['nfs.path with $()', 'nfs:\n  path: "/export/$(id)"\n', /nfs\.path: \/export\/\$\(id\) contains "\$"/],
  ['nfs.backupPath with a space', 'nfs:\n  backupPath: "/export/etcd backups"\n', /nfs\.backupPath: .* contains a space/],
  ['nfs.path with ..', 'nfs:\n  path: /export/../etc\n', /contains \.\./],
  [
    'nfs mount path with a quote',
    'nfs:\n  server: nas\n  mounts:\n    - {path: "/a\'b", mountPoint: /mnt/a}\n',
    /nfs\.mounts\.0\.path: .* contains "'"/,
  ],
  [
    'mirror with a newline',
    'alpine:\n  mirror: "https://m.example/alpine\\nhttps://evil.example/x"\n',
    /alpine\.mirror: .* is not a plain http\(s\) URL/,
  ],
  [
    'mirror over ftp',
    'alpine:\n  mirror: ftp://m.example/alpine\n',
    /alpine\.mirror: ftp:\/\/m\.example\/alpine is not a plain http\(s\) URL/,
  ],
  ['mirror with a quote', 'alpine:\n  mirror: "https://m.example/al\'pine"\n', /alpine\.mirror: .* is not a plain http/],
  ['alpine.version too old', 'alpine:\n  version: "3.10"\n', /alpine\.version: .*older than Alpine/],
  ['alpine.version latest', 'alpine:\n  version: latest\n', /alpine\.version: .*must be an Alpine release/],
  ['alpine.arch armv7', 'alpine:\n  arch: armv7\n', /alpine\.arch: expected one of "aarch64"/],
  ['cluster.name upper case', 'cluster:\n  name: My_Cluster\n', /cluster\.name: .*RFC 1123/],
  ['cluster.domain with a space', 'cluster:\n  domain: "home arpa"\n', /cluster\.domain: .*must be a DNS domain/],
  ['hosts.prefix starting with a digit', 'hosts:\n  prefix: 1pi\n', /hosts\.prefix: .*RFC 1123/],
  ['hosts.count 0', 'hosts:\n  count: 0\n', /hosts\.count: /],
  ['hosts.count 1000', 'hosts:\n  count: 1000\n', /hosts\.count: /],
  ['hosts.start negative', 'hosts:\n  start: -1\n', /hosts\.start: /],
  ['card.bootSize lots', 'card:\n  bootSize: lots\n', /card\.bootSize: lots is not a size/],
  ['card.bootSize 0', 'card:\n  bootSize: 0\n', /card\.bootSize: 0 is not a positive/],
  ['subnet with host bits', 'network:\n  subnet: 192.168.1.7/24\n', /has host bits set/],
  ['subnet with a newline', 'network:\n  subnet: "192.168.1.0/24\\n"\n', /network\.subnet: "192\.168\.1\.0\/24\\n" is not a CIDR/],
  ['metallb range reversed', 'network:\n  metallb:\n    range: 192.168.1.250-192.168.1.200\n', /ends before it starts/],
  ['metallb range with ;', 'network:\n  metallb:\n    range: "192.168.1.200-192.168.1.250;x"\n', /is not an address range/],
  [
    'traefik outside the subnet',
    'network:\n  subnet: 192.168.1.0/24\n  services:\n    traefik: 192.168.2.10\n',
    /network\.services\.traefik: 192\.168\.2\.10 is not inside the subnet/,
  ],
  [
    'adguard not an address',
    'network:\n  services:\n    adguard: "198.51.100.300"\n',
    /network\.services\.adguard: 198\.51\.100\.300 is not an IPv4 address/,
  ],
  ['podCidr without a prefix', 'kubernetes:\n  podCidr: 10.244.0.0\n', /kubernetes\.podCidr: 10\.244\.0\.0 is not a CIDR/],
  ['kubernetes.version with a v', 'kubernetes:\n  version: v1.34\n', /kubernetes\.version: .*must be a full version/],
  ['unknown top-level setting', 'clster:\n  name: x\n', /unknown setting clster/],
  ['unknown nested setting', 'hosts:\n  prefx: pi\n', /unknown setting hosts\.prefx/],
  ['YAML syntax error', 'cluster:\n  name: [unclosed\n', /not valid YAML/],
  ['a list at the top level', '- a\n- b\n', /expected a mapping of settings at the top level/],
  [
    'ssh.publicKey with a newline',
    'ssh:\n  publicKey: "~/.ssh/id.pub\\nProxyCommand id"\n',
    /ssh\.publicKey: .* contains a control character/,
  ],
  ['ssh.privateKey empty', 'ssh:\n  privateKey: ""\n', /ssh\.privateKey: "" is empty/],
  [
    'nfs mounts without a server',
    'nfs:\n  mounts:\n    - {path: /export/a, mountPoint: /mnt/a}\n',
    /nfs\.mounts: 1 mount is listed but nfs\.server is not set/,
  ],
  [
    'nfs mount point twice',
    'nfs:\n  server: nas\n  mounts:\n    - {path: /a, mountPoint: /mnt/a}\n    - {path: /b, mountPoint: /mnt/a}\n',
    /is already the mount point/,
  ],
  [
    'mount options with a space',
    'nfs:\n  server: nas\n  mounts:\n    - {path: /a, mountPoint: /mnt/a, options: "rw, hard"}\n',
    /must be comma-separated mount options/,
  ],
  ['addons.flannel a string', 'addons:\n  flannel: "yes"\n', /addons\.flannel: expected boolean/],
  ['untaintMaster a string', 'kubernetes:\n  untaintMaster: maybe\n', /kubernetes\.untaintMaster: expected boolean/],
  ['mount point /', 'nfs:\n  server: nas\n  mounts:\n    - {path: /a, mountPoint: /}\n', /cannot be a mount point/],
];
// Each through a different command that loads the config first.
const loaders: Array<[string, string[]]> = [
  ['flash', flash()],
  ['bootstrap', ['bootstrap', '--dry-run', '--ssh-key', '{priv}']],
  ['addons tfvars', ['addons', 'tfvars', '--json']],
];
configCases.forEach(([name, yaml, expect], i) => {
  const [command, args] = loaders[i % loaders.length];
  add(`config: ${name} (${command})`, args, expect, { files: { 'pi-cluster.yaml': yaml, ...PROJECT } });
});
add('config: --config that does not exist', ['-c', 'nope.yaml', 'bootstrap', '--dry-run'], /config file nope\.yaml does not exist/, {
  files: PROJECT,
});
add('config: --config a folder', ['-c', '{work}', ...flash()], /config file .* is a folder, not a file/);
add('config: pi-cluster.yaml is a folder', flash(), /config file pi-cluster\.yaml is a folder, not a file/, {
  files: { 'pi-cluster.yaml/': '' },
});

// ---- pi-hosts, checked before any connection, through bootstrap, reset, etcd and the add-ons.
const inventoryCases: Array<[string, string, RegExp]> = [
  ['no masters', '[workers]\npi1 ansible_host=198.51.100.11\n', /has no host in \[masters\]/],
  ['a broken section header', '[masters\npi0 ansible_host=198.51.100.10\n', /pi-hosts:1: not a valid Ansible INI inventory/],
  ['unbalanced quotes', '[masters]\npi0 ansible_host="198.51.100.10\n', /pi-hosts:2: not a valid Ansible INI inventory: unbalanced quotes/],
  ['a host range', '[masters]\n10.0.0.[11:12]\n', /10\.0\.0\.\[11:12\] is a host range/],
  ['a port in the name', '[masters]\npi5:2222\n', /pi5:2222 puts a port in the host name/],
  [
    'an option as ansible_host',
    '[masters]\npi0 ansible_host=-oProxyCommand=id\n',
    /ansible_host=-oProxyCommand=id looks like an ssh option/,
  ],
  [
    'ansible_host with a space',
    '[masters]\npi0 ansible_host="198.51.100.10 -v"\n',
    /ansible_host=198\.51\.100\.10 -v is not an IPv4 address or DNS name/,
  ],
  [
    'ansible_connection=local',
    '[masters]\npi0 ansible_host=198.51.100.10 ansible_connection=local\n',
    /ansible_connection="local" overrides how Ansible connects/,
  ],
  [
    'ssh args in [all:vars]',
    `${HOSTS}[all:vars]\nansible_ssh_common_args='-o ProxyCommand=id'\n`,
    /ansible_ssh_common_args="-o ProxyCommand=id" overrides/,
  ],
  [
    'ssh extra args on a host',
    '[masters]\npi0 ansible_host=198.51.100.10 ansible_ssh_extra_args=-v\n',
    /ansible_ssh_extra_args="-v" overrides/,
  ],
  [
    'a host in both groups',
    '[masters]\npi0 ansible_host=198.51.100.10\n[workers]\npi0 ansible_host=198.51.100.10\n',
    /pi0 is in both \[masters\] \(line 2\) and \[workers\]/,
  ],
  [
    'a host twice in a group',
    '[masters]\npi0 ansible_host=198.51.100.10\n[workers]\npi1 ansible_host=198.51.100.11\npi1 ansible_host=198.51.100.11\n',
    /pi1 is listed twice in \[workers\]/,
  ],
  [
    'two hosts with one address',
    '[masters]\npi0 ansible_host=198.51.100.10\n[workers]\npi1 ansible_host=198.51.100.10\n',
    /pi1 has the address 198\.51\.100\.10 of pi0/,
  ],
  ['an upper-case name', '[masters]\nPi_0 ansible_host=198.51.100.10\n', /Pi_0 is not a valid node name/],
  ['a host without an address', '[masters]\npi0\n', /pi0 has no ansible_host=/],
  ['ansible_port 0', '[masters]\npi0 ansible_host=198.51.100.10 ansible_port=0\n', /ansible_port=0 is not a port/],
  ['an option as ansible_user', '[masters]\npi0 ansible_host=198.51.100.10 ansible_user=-oX\n', /ansible_user=-oX is not a user or file/],
  ['a YAML inventory', 'all:\n  hosts:\n    pi0:\n', /not a valid Ansible INI inventory|is not a valid node name/],
  ['a vars line without =', `${HOSTS}[all:vars]\nansible_user\n`, /expected key=value in \[all:vars\]/],
  ['two names on a children line', `${HOSTS}[k8s:children]\nmasters workers\n`, /expected one group name per line/],
  ['a key without a value after the name', '[masters]\npi0 198.51.100.10\n', /expected key=value after the host name/],
];
const readers: Array<[string, string[]]> = [
  ['bootstrap', ['bootstrap', '--dry-run', '--ssh-key', '{priv}']],
  ['reset', ['reset', '--dry-run', '--ssh-key', '{priv}']],
  ['etcd snapshot', ['etcd', 'snapshot', '--dry-run']],
  ['addons tfvars', ['addons', 'tfvars', '--json']],
];
inventoryCases.forEach(([name, text, expect], i) => {
  const [command, args] = readers[i % readers.length];
  add(`pi-hosts: ${name} (${command})`, args, expect, { files: { 'pi-hosts': text, '.pi-cluster/known_hosts': '' } });
});
for (const [command, args] of readers) {
  add(`pi-hosts: missing (${command})`, args, /inventory .*pi-hosts does not exist/);
  add(`pi-hosts: -i a folder (${command})`, [...args, '-i', '{work}'], /inventory .* is a folder, not a file/, { files: PROJECT });
}
add(
  'pi-hosts: add-ons need IPv4 addresses',
  ['addons', 'tfvars', '--json'],
  /host pi0 has no IPv4 address \(ansible_host=pi0\.home\.arpa\)/,
  { files: { 'pi-hosts': '[masters]\npi0 ansible_host=pi0.home.arpa\n' } },
);
add(
  'pi-hosts: overrides allowed only in bootstrap with a flag (reset)',
  ['reset', '--dry-run', '--ssh-key', '{priv}', '--allow-ssh-overrides'],
  /unknown option '--allow-ssh-overrides'/,
  { files: PROJECT },
);

// ---- bootstrap flags.
const boot = (...flags: string[]) => ['bootstrap', '--dry-run', '--ssh-key', '{priv}', ...flags];
add('bootstrap: --only with --from', boot('--only', '30', '--from', '10'), /--only cannot be combined with --from/, { files: PROJECT });
add('bootstrap: --only with --to', boot('--only', '30', '--to', '40'), /--only cannot be combined with --to/, { files: PROJECT });
add('bootstrap: --to before --from', boot('--from', '40', '--to', '10'), /--to 10-prepare comes before --from 40-control-plane/, {
  files: PROJECT,
});
add('bootstrap: --from empty', boot('--from', ''), /--from is empty/, { files: PROJECT });
add('bootstrap: --only empty', boot('--only', ''), /--only is empty/, { files: PROJECT });
add('bootstrap: --to blank', boot('--to', ' '), /--to is empty/, { files: PROJECT });
add('bootstrap: --only an unknown layer', boot('--only', 'kubelet'), /--only kubelet: no such layer/, { files: PROJECT });
add('bootstrap: --from 99', boot('--from', '99'), /--from 99: no such layer/, { files: PROJECT });
add('bootstrap: --forks 0', boot('--forks', '0'), /--forks <n>' argument '0' is invalid/, { files: PROJECT });
add('bootstrap: --forks 1e1', boot('--forks', '1e1'), /--forks <n>' argument '1e1' is invalid/, { files: PROJECT });
add('bootstrap: --forks -3', boot('--forks', '-3'), /--forks <n>' argument '-3' is invalid/, { files: PROJECT });
add('bootstrap: --forks 0x10', boot('--forks', '0x10'), /argument '0x10' is invalid/, { files: PROJECT });
add('bootstrap: --kube-version 1.30', boot('--kube-version', '1.30'), /must be a version like 1\.34\.2/, { files: PROJECT });
add('bootstrap: --kube-version latest', boot('--kube-version', 'latest'), /argument 'latest' is invalid/, { files: PROJECT });
add('bootstrap: -e without =', boot('-e', 'novalue'), /expected name=value/, { files: PROJECT });
add('bootstrap: -e with a bad name', boot('-e', '1bad=2'), /expected name=value/, { files: PROJECT });
add('bootstrap: --ssh-key a folder', ['bootstrap', '--ssh-key', '{work}'], /SSH private key .* is a folder, not a file/, {
  files: PROJECT,
});
add('bootstrap: --ssh-key missing', ['bootstrap', '--ssh-key', 'nokey'], /SSH private key .*nokey does not exist/, { files: PROJECT });
add('bootstrap: no SSH key at all', ['bootstrap'], /no SSH key found/, { files: PROJECT });
add('bootstrap: no known_hosts for a real run', ['bootstrap', '--ssh-key', '{priv}'], /no known hosts file at .*known_hosts/, {
  files: { 'pi-hosts': HOSTS },
});
add('bootstrap: -i /etc', ['bootstrap', '--ssh-key', '{priv}', '-i', '/etc'], /inventory \/etc is a folder, not a file/, {
  files: PROJECT,
});
add('bootstrap: an unknown option', boot('--form', '30'), /unknown option '--form'/, { files: PROJECT });
add('bootstrap: an extra argument', boot('now'), /too many arguments for 'bootstrap'/, { files: PROJECT });
add(
  'bootstrap: --allow-ssh-overrides takes no value',
  boot('--allow-ssh-overrides=yes'),
  /option '--allow-ssh-overrides' does not take an argument|unknown option/,
  { files: PROJECT },
);
add('reset: no confirmation without a terminal', ['reset', '--ssh-key', '{priv}'], /reset needs confirmation/, { files: PROJECT });
add('reset: --ssh-key a folder', ['reset', '--ssh-key', '{work}'], /SSH private key .* is a folder, not a file/, { files: PROJECT });

// ---- flash.
add('flash: --image a folder', flash({ '--image': '{work}' }), /--image .* is a folder, not a file/);
add('flash: --image missing', flash({ '--image': 'nope.tar.gz' }), /--image nope\.tar\.gz does not exist/);
add('flash: --image not an archive', flash({ '--image': 'notes.tar.gz' }), /notes\.tar\.gz/, { files: { 'notes.tar.gz': 'just text\n' } });
add('flash: --image with a wrong .sha256', flash({ '--image': '{mismatch}' }), /sha256|checksum/i);
add(
  'flash: --image URL on a bad port',
  flash({ '--image': 'http://127.0.0.1:1/alpine-rpi-3.23.0-aarch64.tar.gz' }),
  /port 1 is one that fetch refuses/,
);
add('flash: --image ftp URL', flash({ '--image': 'ftp://198.51.100.1/alpine.tar.gz' }), /ftp:\/\/198\.51\.100\.1\/alpine\.tar\.gz/);
add('flash: --image URL refused', flash({ '--image': 'http://127.0.0.1:9/alpine-rpi-3.23.0-aarch64.tar.gz' }), /cannot download|port 9/);
add('flash: --ssh-key a folder', flash({ '--ssh-key': '{work}' }), /SSH public key .* \(--ssh-key\) is a folder, not a file/);
add('flash: --ssh-key missing', flash({ '--ssh-key': 'nope.pub' }), /SSH public key nope\.pub \(--ssh-key\) does not exist/);
add('flash: --ssh-key a private key', flash({ '--ssh-key': '{priv}' }), /that is a private key, pass the \.pub/);
add('flash: --ssh-key garbage', flash({ '--ssh-key': 'garbage.pub' }), /garbage\.pub is not an SSH public key/, {
  files: { 'garbage.pub': 'ssh-ed25519 not-base64!!\n' },
});
add('flash: --ssh-key an empty file', flash({ '--ssh-key': 'empty.pub' }), /empty\.pub holds no SSH public key/, {
  files: { 'empty.pub': '' },
});
add('flash: --ssh-key unknown key type', flash({ '--ssh-key': 'dsa.pub' }), /unknown key type "ssh-dss"/, {
  files: { 'dsa.pub': 'ssh-dss AAAAB3NzaC1kc3MAAACBAP1 me\n' },
});
add('flash: no SSH key at all', flash({ '--ssh-key': undefined }), /no SSH public key to put on the cards/);
add('flash: --output a folder', flash({ '--output': 'cards' }), /--output cards is a folder/, { files: { 'cards/': '' } });
add('flash: --output in a missing folder', flash({ '--output': '/proc/x/a.img' }), /the folder \/proc\/x does not exist/);
add(
  'flash: --output where no file can be made',
  flash({ '--output': '/proc/a.img' }),
  /cannot write \/proc\/a\.img: its folder does not take new files/,
  { notBefore: /compose|download/ },
);
add('flash: --output exists', flash({ '--output': 'old.img' }), /--output old\.img exists already/, { files: { 'old.img': 'x' } });
add('flash: --output a device', flash({ '--output': '/dev/null' }), /--output \/dev\/null is a device, not a file/);
add(
  'flash: --output twice',
  [...flash({ '--hostname': undefined, '--output': 'a.img' }), '--output', 'a.img', '--hostnames', 'pi0,pi1'],
  /--output a\.img is given twice/,
);
add('flash: --output the source itself', flash({ '--output': '{release}' }), /exists already|is the source image itself/);
add('flash: --output and --device', [...flash(), '--device', '/dev/null'], /use either --device or --output, not both/);
add(
  'flash: two --output for three hosts',
  [...flash({ '--hostname': undefined, '--output': 'a.img' }), '--output', 'b.img', '--hostnames', 'pi0,pi1,pi2'],
  /2 --output files for 3 hostnames/,
);
add('flash: --count 1e1', flash({ '--hostname': undefined }, '--count', '1e1'), /--count \[n\]' argument '1e1' is invalid/);
add('flash: --count 0', flash({ '--hostname': undefined }, '--count', '0'), /argument '0' is invalid/);
add('flash: --count -1', flash({ '--hostname': undefined }, '--count', '-1'), /argument '-1' is invalid|unknown option '-1'/);
add('flash: --count abc', flash({ '--hostname': undefined }, '--count', 'abc'), /argument 'abc' is invalid/);
add('flash: --count 2.5', flash({ '--hostname': undefined }, '--count', '2.5'), /argument '2\.5' is invalid/);
add('flash: --hostname with upper case', flash({ '--hostname': 'Pi_0' }), /Pi_0/);
add('flash: --hostname empty', flash({ '--hostname': '' }), /hostname/i);
add('flash: --hostname with a newline', flash({ '--hostname': 'pi0\nreboot' }), /hostname/i);
add('flash: --hostnames with a duplicate', flash({ '--hostname': undefined, '--hostnames': 'pi0,pi0' }), /pi0/);
add(
  'flash: --hostnames with an empty name',
  flash({ '--hostname': undefined, '--hostnames': 'pi0,,pi1' }),
  /--hostnames pi0,,pi1 has an empty name/,
);
add('flash: --hostnames with a trailing comma', flash({ '--hostname': undefined, '--hostnames': 'pi0,pi1,' }), /has an empty name/);
add('flash: --hostnames with $()', flash({ '--hostname': undefined, '--hostnames': 'pi0,$(id)' }), /\$\(id\)/);
add('flash: --boot-size lots', flash({ '--boot-size': 'lots' }), /lots is not a size/);
add('flash: --boot-size too small', flash({ '--boot-size': '1KiB' }), /boot/i);
add('flash: --boot-size 10TiB', flash({ '--boot-size': '10TiB' }), /boot/i);
add('flash: --alpine 3.x', flash({ '--alpine': '3.x' }), /--alpine 3\.x is not an Alpine version/);
add(
  'flash: --rotate-host-key of another host',
  flash({}, '--rotate-host-key', 'pi9'),
  /--rotate-host-key pi9: not one of the cards of this run/,
);
add('flash: --device /dev/null', flash({ '--output': undefined, '--device': '/dev/null' }), /\/dev\/null/);
add('flash: --device that does not exist', flash({ '--output': undefined, '--device': '/dev/nonexistent-sdz' }), /\/dev\/nonexistent-sdz/);
add('flash: no target and no terminal', flash({ '--output': undefined }), /no target: pass --device PATH/);
add('flash: an unknown option', flash({}, '--devcie', '/dev/sdb'), /unknown option '--devcie'/);
add('flash: an extra argument', flash({}, 'pi0'), /too many arguments for 'flash'/);
add(
  'flash: --boot-size missing its value',
  [...flash({ '--boot-size': undefined }), '--boot-size'],
  /option '--boot-size <size>' argument missing/,
);

// ---- discover: everything it can refuse before it looks at the network.
const discover = (...flags: string[]) => ['discover', '--ssh-key', '{priv}', ...flags];
add('discover: --timeout abc', discover('--timeout', 'abc'), /--timeout abc: not a duration/);
add('discover: --timeout 0', discover('--timeout', '0'), /--timeout 0: must be more than zero/);
add('discover: --timeout -5s', discover('--timeout', '-5s'), /--timeout -5s: not a duration/);
add('discover: --masters 0', discover('--masters', '0'), /--masters 0: expected a whole number of at least 1/);
add('discover: --masters x', discover('--masters', 'x'), /--masters x: expected a whole number/);
add('discover: --expect 0', discover('--expect', '0'), /--expect 0: expected a whole number/);
add('discover: --expect 1e1', discover('--expect', '1e1'), /--expect 1e1: expected a whole number/);
add('discover: --masters with --master', discover('--masters', '1', '--master', 'pi0'), /--masters and --master do not go together/);
add('discover: --prefix upper case', discover('--prefix', 'Pi'), /--prefix Pi: use lower-case letters/);
add('discover: --prefix with ;', discover('--prefix', 'pi;x'), /--prefix pi;x: use lower-case letters/);
add('discover: --ssh-key a folder', ['discover', '--ssh-key', '{work}'], /SSH private key .* is a folder, not a file/);
add('discover: --ssh-key missing', ['discover', '--ssh-key', 'nope'], /SSH private key .*nope does not exist/);
add('discover: no SSH key at all', ['discover'], /no SSH key to log in to the Pis with/);
add('discover: --sweep not a CIDR', discover('--sweep', 'lan'), /lan/);
add('discover: an unreadable pi-hosts', discover('--sweep', '198.51.100.0/30', '--timeout', '1s'), /pi-hosts/, {
  files: { 'pi-hosts': '[masters\n' },
});
add('discover: bad config', discover(), /network\.interface/, {
  files: { 'pi-cluster.yaml': 'network:\n  interface: "eth0\\nup reboot"\n' },
});
add('discover: an unknown option', discover('--sweeep', '198.51.100.0/24'), /unknown option '--sweeep'/);

// ---- add-ons.
add('addons tfvars: --kubeconfig missing', ['addons', 'tfvars', '--kubeconfig', 'nope.conf'], /kubeconfig nope\.conf does not exist/, {
  files: PROJECT,
});
add('addons check: --timeout 0', ['addons', 'check', '--timeout', '0'], /--timeout must be a number of seconds above 0/);
add('addons check: --timeout abc', ['addons', 'check', '--timeout', 'abc'], /--timeout/);
add('addons check: --pins missing', ['addons', 'check', '--pins', 'nope.yaml'], /nope\.yaml/);
add('addons check: --pins a folder', ['addons', 'check', '--pins', '{work}'], /cannot read .*: it is a folder, not a file/);
add('addons check: --pins not YAML', ['addons', 'check', '--pins', 'pins.yaml'], /pins\.yaml is not YAML/, {
  files: { 'pins.yaml': 'charts: [unclosed\n' },
});
add('addons check: --pins of the wrong shape', ['addons', 'check', '--pins', 'pins.yaml'], /pins\.yaml: /, {
  files: { 'pins.yaml': 'charts: 3\n' },
});
add(
  'addons check: --override without =',
  ['addons', 'check', '--override', 'ghcr.io'],
  /bad override "ghcr\.io": expected ORIGIN=BASE-URL/,
);
add('addons: an unknown subcommand', ['addons', 'aply'], /unknown command 'aply'/);

// ---- etcd.
add('etcd restore: a folder', ['etcd', 'restore', '{work}'], /snapshot .* is a folder, not a file/, { files: PROJECT });
add('etcd restore: a missing file', ['etcd', 'restore', 'nope.db'], /snapshot nope\.db does not exist/, { files: PROJECT });
add('etcd restore: no argument', ['etcd', 'restore'], /missing required argument 'snapshot'/);
add('etcd restore: not a snapshot', ['etcd', 'restore', 'snap.db'], /snap\.db is not an etcd snapshot/, {
  files: { ...PROJECT, 'snap.db': 'x' },
});
add(
  'etcd restore --onto: not the master',
  ['etcd', 'restore', '{work}', '--onto', 'pi9', '--dry-run'],
  /--onto pi9 is not the inventory's master/,
  { files: PROJECT },
);
add(
  'etcd restore --onto: a folder without the PKI',
  ['etcd', 'restore', '{work}', '--onto', 'pi0', '--dry-run'],
  /has no pki\/ca\.crt: not a pi-cluster backup/,
  { files: PROJECT },
);
add('etcd: an unknown subcommand', ['etcd', 'backup'], /unknown command 'backup'/);

// ---- status (reads pi-hosts the same way, before any connection).
add('status: pi-hosts missing', ['status', '--ssh-key', '{priv}'], /inventory .*pi-hosts does not exist/);
add('status: -i a folder', ['status', '--ssh-key', '{priv}', '-i', '{work}'], /inventory .* is a folder, not a file/, { files: PROJECT });
add(
  'status: a connection override in pi-hosts',
  ['status', '--ssh-key', '{priv}'],
  /ansible_connection="local" overrides how Ansible connects/,
  { files: { 'pi-hosts': '[masters]\npi0 ansible_host=198.51.100.10 ansible_connection=local\n' } },
);
add('status: a host range in pi-hosts', ['status', '--ssh-key', '{priv}'], /is a host range/, {
  files: { 'pi-hosts': '[masters]\npi[0:2] ansible_host=198.51.100.10\n' },
});

// ---- the rest.
add('init: pi-cluster.yaml exists', ['init'], /pi-cluster\.yaml already exists; not overwriting it/, {
  files: { 'pi-cluster.yaml': 'cluster:\n  name: lab\n' },
});
add('an unknown command', ['docter'], /unknown command 'docter'/);
add('an unknown global option', ['--colour', 'doctor'], /unknown option '--colour'/);

export const CORPUS: readonly BadInput[] = cases;
