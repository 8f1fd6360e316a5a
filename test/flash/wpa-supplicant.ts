import { execFileSync, spawnSync } from 'node:child_process';

/** What wpa_supplicant itself read from a config file. */
export interface WpaSupplicantRead {
  /** Its whole debug output (-dd -K), for assertion messages. */
  output: string;
  /** No "Line N:" complaint and no "Failed to read or parse configuration". */
  parsed: boolean;
  country?: string;
  ssids: string[];
  /** The 32-byte keys it derived or read, in hex. */
  psks: string[];
}

/**
 * Runs Debian's wpa_supplicant on a config file in a network namespace of its own, with a veth end
 * named wlan0 standing in for the radio: the file is read and parsed before the driver fails. Root only.
 */
export function readWithWpaSupplicant(confPath: string): WpaSupplicantRead {
  const ns = `pcwifi${process.pid}${Math.floor(Math.random() * 1000)}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'add', 'wlan0', 'type', 'veth', 'peer', 'name', 'wlan0p']);
    const run = spawnSync('ip', [
      'netns',
      'exec',
      ns,
      'timeout',
      '3',
      'wpa_supplicant',
      '-i',
      'wlan0',
      '-D',
      'wext',
      '-c',
      confPath,
      '-dd',
      '-K',
    ]);
    const output = `${run.stdout}${run.stderr}`;
    return {
      output,
      parsed:
        /Reading configuration file/.test(output) && !/^Line \d+: /m.test(output) && !/Failed to read or parse configuration/.test(output),
      country: /^country='([^']*)'$/m.exec(output)?.[1],
      ssids: [...output.matchAll(/^\s+id=\d+ ssid='([^']*)'$/gm)].map((m) => m[1]!),
      psks: [...output.matchAll(/PSK - hexdump\(len=32\):((?: [0-9a-f]{2}){32})/g)].map((m) => m[1]!.replaceAll(' ', '')),
    };
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}
