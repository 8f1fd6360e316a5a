import { styleText } from 'node:util';

/** Colour only for terminals that want it (respects --no-color, NO_COLOR and non-TTY output). */
export function useColor(enabled = true, stream: NodeJS.WriteStream = process.stdout): boolean {
  return enabled && Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

type Style = Parameters<typeof styleText>[0];

export function paint(style: Style, text: string, enabled: boolean): string {
  return enabled ? styleText(style, text) : text;
}
