import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { collect, positive } from '../flags.js';
import { examples } from '../help.js';

interface FlashFlags {
  device?: string[];
  output?: string[];
  image?: string;
  alpine?: string;
  hostname?: string;
  hostnames?: string;
  count?: number | true;
  sshKey?: string;
  bootSize?: string;
  yes?: boolean;
  verify: boolean;
  force?: boolean;
  rotateHostKey?: string[];
  consolePassword?: boolean;
  consolePasswordFile?: string;
  address?: string[];
  dryRun?: boolean;
  wifiSsid?: string;
  wifiCountry?: string;
  wifiPassphrase?: boolean;
  wifiPassphraseFile?: string;
  wifiPassphraseEnv?: string;
}

const cardCount = positive('expected a whole number of cards (1 or more)');

export function register(program: Command): void {
  program
    .command('flash')
    .description('write Alpine plus a per-host overlay onto SD cards (or image files): safe, verified, several at once')
    .option('--device <path>', 'card reader to write (repeat for several, written in parallel)', collect)
    .option('--output <file>', 'write an image file instead (repeat, or use {hostname} in the name)', collect)
    .option('--image <path|url>', 'Alpine release to use: a .tar.gz or .img.gz, local or http(s) (default: download)')
    .option('--alpine <version>', 'Alpine version to download (default: alpine.version in pi-cluster.yaml)')
    .option('--hostname <name>', 'hostname of a single card')
    .option('--hostnames <a,b,c>', 'one card per hostname (one --device: swap cards between writes)')
    .option('--count [n]', 'n cards named <prefix><start>.. from pi-cluster.yaml (default: hosts.count)', cardCount)
    .option('--ssh-key <pubkey>', 'public key for root (a .pub file or the key text; default: ssh.publicKey or ~/.ssh/id_*.pub)')
    .option('--boot-size <size>', 'size of the FAT boot partition (default: card.bootSize, 1GiB)')
    .option('-y, --yes', 'do not ask before erasing (only together with --device)')
    .option('--no-verify', 'skip reading the card back')
    .option(
      '--rotate-host-key <hostname>',
      'give this Pi a new SSH host key instead of the one kept in .pi-cluster/host-keys (repeatable)',
      collect,
    )
    .option(
      '--address <host=ip/prefix>',
      'a fixed IPv4 address for one card instead of DHCP, e.g. pi1=192.168.1.51/24 (repeatable; gateway and dns: network.* in pi-cluster.yaml)',
      collect,
    )
    .option('--wifi-ssid <ssid>', 'Wi-Fi network for every card (wired stays preferred; default: network.wifi.ssid)')
    .option('--wifi-country <cc>', 'Wi-Fi country code, e.g. DE (default: network.wifi.country)')
    .option('--wifi-passphrase', 'ask for the Wi-Fi passphrase at the terminal (the card keeps only the PSK made from it)')
    .option('--wifi-passphrase-file <file>', 'read the Wi-Fi passphrase from a file')
    .option('--wifi-passphrase-env <var>', 'read the Wi-Fi passphrase from an environment variable')
    .option('--console-password', "ask for root's console password at the terminal (stored hashed; default: locked, SSH key only)")
    .option('--console-password-file <file>', "root's console password as a crypt hash in a file (`openssl passwd -6` prints one)")
    .option('--dry-run', "check everything and print each card's identity and overlay files; write and download nothing")
    .option('--force', 'allow a non-removable drive or loop device given with --device; replace an existing --output file')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster flash', 'pick the card reader from a list, one card'],
        ['pi-cluster flash --device /dev/sdb --hostnames pi0,pi1,pi2', 'swap cards between writes'],
        ['pi-cluster flash --device /dev/sdb --device /dev/sdc --hostnames pi0,pi1', 'two readers in parallel'],
        ['pi-cluster flash --output pi0.img --hostname pi0', 'an image file, for any imager'],
        ['pi-cluster flash --output "cards/{hostname}.img" --count 3'],
        ['pi-cluster flash --image ./alpine-rpi-3.24.2-aarch64.tar.gz --device /dev/sdb --yes', 'offline, no questions'],
        ['pi-cluster flash --device /dev/sdb --hostname pi2 --rotate-host-key pi2', 'pi2 gets a new SSH identity'],
        [
          'pi-cluster flash --output "{hostname}.img" --hostnames pi0,pi1 --address pi0=192.168.1.50/24 --address pi1=192.168.1.51/24',
          'fixed addresses (network.gateway in pi-cluster.yaml)',
        ],
        [
          'PI_WIFI=... pi-cluster flash --output pi0.img --hostname pi0 --wifi-ssid home --wifi-country DE --wifi-passphrase-env PI_WIFI',
          'Wi-Fi as well as the wired port',
        ],
        ['pi-cluster flash --count 3 --dry-run', "each card's hostname, address, Wi-Fi, host key and overlay files"],
        [
          'openssl passwd -6 > root.hash; pi-cluster flash --count 3 --output "{hostname}.img" --console-password-file root.hash',
          'a console password for root (default: locked)',
        ],
      ]),
    )
    .action(async (flags: FlashFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { flashCommand } = await import('./action.js');
      await flashCommand({
        configPath: globals.config,
        color: globals.color,
        devices: flags.device,
        outputs: flags.output,
        image: flags.image,
        alpine: flags.alpine,
        hostname: flags.hostname,
        hostnames: flags.hostnames?.split(','),
        count: flags.count,
        sshKey: flags.sshKey,
        bootSize: flags.bootSize,
        yes: Boolean(flags.yes),
        verify: flags.verify,
        force: Boolean(flags.force),
        rotateHostKeys: flags.rotateHostKey,
        consolePassword: Boolean(flags.consolePassword),
        consolePasswordFile: flags.consolePasswordFile,
        addresses: flags.address,
        askWifiPassphrase: Boolean(flags.wifiPassphrase),
        dryRun: Boolean(flags.dryRun),
        wifi: {
          ssid: flags.wifiSsid,
          country: flags.wifiCountry,
          passphraseFile: flags.wifiPassphraseFile,
          passphraseEnv: flags.wifiPassphraseEnv,
        },
      });
    });
}
