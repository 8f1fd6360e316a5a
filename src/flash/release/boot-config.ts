/** Kernel parameters Kubernetes needs on the Pi: the memory cgroup is off by default in its kernel. */
export const KUBERNETES_CMDLINE = ['cgroup_enable=memory', 'cgroup_memory=1'];

const USERCFG_MARK = '# pi-cluster';

/**
 * Alpine's cmdline.txt with the Kubernetes parameters appended when missing. The firmware reads one
 * line only, so any line breaks Alpine's file may have are joined; running it twice changes nothing.
 */
export function adjustCmdline(original: string): string {
  const words = original.split(/\s+/).filter(Boolean);
  for (const parameter of KUBERNETES_CMDLINE) if (!words.includes(parameter)) words.push(parameter);
  return `${words.join(' ')}\n`;
}

/**
 * usercfg.txt (Alpine's config.txt ends with `include usercfg.txt`). Alpine's config.txt already sets
 * `arm_64bit=1` and the kernel; the only line we may add is `arm_64bit=1` for a config.txt without it.
 * Whatever the release ships in usercfg.txt is kept.
 */
export function adjustUsercfg(configTxt: string, existing = ''): string {
  if (existing.includes(USERCFG_MARK)) return existing;
  const lines = [
    `${USERCFG_MARK}: included by config.txt ("include usercfg.txt"); put your own settings below.`,
    "# A headless Kubernetes node needs nothing beyond Alpine's config.txt; the cgroup switches",
    '# Kubernetes needs are on the kernel command line (cmdline.txt).',
    '# For a serial console, uncomment:',
    '#enable_uart=1',
  ];
  if (!/^\s*arm_64bit\s*=\s*1\s*$/m.test(configTxt))
    lines.push("# This release's config.txt does not select the 64-bit kernel:", 'arm_64bit=1');
  const prefix = existing && !existing.endsWith('\n') ? `${existing}\n` : existing;
  return `${prefix}${lines.join('\n')}\n`;
}

/** True when config.txt pulls in usercfg.txt (Alpine's does); otherwise our usercfg.txt would be ignored. */
export function includesUsercfg(configTxt: string): boolean {
  return /^\s*include\s+usercfg\.txt\s*$/m.test(configTxt);
}
