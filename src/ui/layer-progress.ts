import type { AnsibleEvent } from '../ansible/index.js';
import type { Layer } from '../bootstrap/layers.js';
import { LayerProgress } from '../bootstrap/progress.js';
import type { StageEvent } from '../events.js';
import { createLiveRegion } from './progress.js';
import { paint, useColor } from './style.js';

/**
 * bootstrap and reset on the terminal: stage events as lines, and below them the live per-host view of the
 * running Ansible layer (drawn by the same live region as flash's progress). Off a terminal: failures as lines.
 */
export function createLayerRenderer(color: boolean, verbose: boolean) {
  const out = process.stdout;
  const colored = useColor(color);
  let view: LayerProgress | undefined;
  const region = createLiveRegion(out, Boolean(out.isTTY) && process.env.TERM !== 'dumb', (width) => view?.lines(width));
  const who = (host?: string) => (host ? `${host}: ` : '');
  return {
    event(event: StageEvent) {
      if (event.kind === 'step')
        region.print(`${paint('bold', `==> ${event.step}`, colored)}${event.detail ? ` (${event.detail})` : ''}\n`);
      else if (event.kind === 'info') region.print(`${who(event.host)}${event.message}\n`);
      else if (event.kind === 'warn')
        region.print(
          `${paint('yellow', 'warn', colored)} ${who(event.host)}${event.message}${event.hint ? `\n     fix: ${event.hint}` : ''}\n`,
        );
      else if (event.kind === 'debug' && verbose) region.print(`${who(event.host)}${event.message}\n`);
      else region.draw();
    },
    ansible(layer: Layer, hosts: string[], event: AnsibleEvent) {
      if (!view || view.layer !== layer.id) {
        region.cancel();
        region.draw();
        region.keep(); // the previous layer's final view stays on screen
        view = new LayerProgress(layer.id, hosts);
      }
      view.apply(event);
      if (!region.live && event.event === 'result' && (event.status === 'failed' || event.status === 'unreachable')) {
        region.print(`${event.host}: ${event.status} in "${event.task}": ${event.message.split('\n')[0]}\n`);
      }
      if (event.event === 'recap') region.draw();
      else region.schedule();
    },
    finish() {
      region.cancel();
      region.draw();
      region.keep();
    },
  };
}
