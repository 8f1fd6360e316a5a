// The lab's layer 2: one bridge in the machine's namespace, one network namespace per host,
// joined by a veth pair whose inner end is the host's eth0 (as on a Pi).
import { execa } from 'execa';
import { BRIDGE_ADDRESS, DEAD_GATEWAY, LAB_PREFIX_LENGTH } from './network-plan.js';

async function ip(...args: string[]): Promise<string> {
  return (await execa('ip', args)).stdout;
}

export async function createBridge(bridge: string): Promise<void> {
  await ip('link', 'add', bridge, 'type', 'bridge');
  await ip('addr', 'add', `${BRIDGE_ADDRESS}/${LAB_PREFIX_LENGTH}`, 'dev', bridge);
  await ip('link', 'set', bridge, 'up');
}

export interface HostLink {
  netns: string;
  veth: string;
  bridge: string;
  mac: string;
  ip: string;
}

export async function createHostNetwork(link: HostLink): Promise<void> {
  await ip('netns', 'add', link.netns);
  await ip('link', 'add', link.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'address', link.mac, 'netns', link.netns);
  await ip('link', 'set', link.veth, 'master', link.bridge, 'up');
  await ip('-n', link.netns, 'link', 'set', 'lo', 'up');
  await ip('-n', link.netns, 'link', 'set', 'eth0', 'up');
  await setHostAddress(link.netns, link.ip, true);
}

/** A stopped host's link is down and takes no routes; it gets its default route back at start. */
export async function setHostAddress(netns: string, address: string, linkUp: boolean): Promise<void> {
  await ip('-n', netns, '-4', 'addr', 'flush', 'dev', 'eth0');
  await ip('-n', netns, 'addr', 'add', `${address}/${LAB_PREFIX_LENGTH}`, 'dev', 'eth0');
  if (linkUp) await ip('-n', netns, 'route', 'replace', 'default', 'via', DEAD_GATEWAY, 'dev', 'eth0');
}

/**
 * A powered-off Pi answers nothing, not even ARP or ping: its link goes down with it.
 * Taking a link down drops the routes through it, so bringing it up puts the default route back.
 */
export async function setHostLink(netns: string, up: boolean): Promise<void> {
  await ip('-n', netns, 'link', 'set', 'eth0', up ? 'up' : 'down');
  if (up) await ip('-n', netns, 'route', 'replace', 'default', 'via', DEAD_GATEWAY, 'dev', 'eth0');
}
