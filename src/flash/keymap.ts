import type { Keymap } from '../config/keymap.js';
import type { OverlayEntry } from './overlay/render.js';

/**
 * The links of a console keymap; the templates add etc/conf.d/loadkmap and kbd-bkeymaps to the world.
 * Alpine's setup-keymap (alpine-conf 3.20.0 and 3.22.0) copies /usr/share/bkeymaps/<layout>/<name>.bmap.gz
 * from kbd-bkeymaps to /etc/keymap/, writes KEYMAP=/etc/keymap/<name>.bmap.gz to /etc/conf.d/loadkmap and
 * adds loadkmap to the boot runlevel. The card cannot hold the copy (the package is on the Pi's boot
 * medium, not here), so kbd-bkeymaps stays in the world, installed from the medium before OpenRC starts,
 * and /etc/keymap/<name>.bmap.gz links to its file: the same path in conf.d, the same bytes behind it.
 */
export function keymapEntries(keymap: Keymap): OverlayEntry[] {
  return [
    {
      type: 'symlink',
      path: `etc/keymap/${keymap.name}.bmap.gz`,
      mode: 0o777,
      target: `/usr/share/bkeymaps/${keymap.layout}/${keymap.name}.bmap.gz`,
    },
    { type: 'symlink', path: 'etc/runlevels/boot/loadkmap', mode: 0o777, target: '/etc/init.d/loadkmap' },
  ];
}
