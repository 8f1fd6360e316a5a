/**
 * The console keyboard layout (alpine.keymap), as Alpine's `setup-keymap LAYOUT VARIANT` names it: a
 * file of the kbd-bkeymaps package, /usr/share/bkeymaps/<layout>/<name>.bmap.gz, where <name> is the
 * layout (`de`) or the layout and an X.org variant (`de-nodeadkeys`), and <layout> is <name> up to its
 * first dash (aports main/kbd/APKBUILD, bkeymaps()).
 */

/**
 * The layouts kbd-bkeymaps has files for: APKBUILD's _listxmaps makes maps only for layouts listed with
 * variants in xkeyboard-config's rules/base.lst (the "! variant" section), here of xkeyboard-config 2.35.1.
 */
export const KEYMAP_LAYOUTS = new Set(
  (
    'af al am ara at az ba bd be bg br brai by ca ch cm cn cz de dk dz ee epo es fi fo fr gb ge gh gr hr hu id ie il in iq ir is it jp ke kg kr kz la latam ' +
    'lk lt lv ma md me mk ml mm mt my ng nl no ph pk pl pt ro rs ru se si sk sy th tj tm tr tw ua us uz vn'
  ).split(' '),
);

export interface Keymap {
  /** The folder under /usr/share/bkeymaps: `de`. */
  layout: string;
  /** The file's name without .bmap.gz: `de` or `de-nodeadkeys`. */
  name: string;
}

/** Why `text` is not a kbd-bkeymaps keymap name, or undefined. */
export function keymapProblem(text: string): string | undefined {
  if (!/^[a-z]+(-[A-Za-z0-9_]+)*$/.test(text))
    return `${JSON.stringify(text)} is not a keymap name (a layout like de, or a layout and variant like de-nodeadkeys)`;
  const layout = text.split('-')[0]!;
  if (!KEYMAP_LAYOUTS.has(layout))
    return `${JSON.stringify(layout)} is not a keyboard layout of Alpine's kbd-bkeymaps (e.g. us, de, fr, gb, ch)`;
  // The APKBUILD renames X.org's fi map to fi-kotoistus and skips pk-ara: neither file exists.
  if (text === 'fi') return '"fi" has no file in kbd-bkeymaps: Finnish is fi-kotoistus (or another fi-<variant>)';
  if (text === 'pk-ara') return '"pk-ara" is left out of kbd-bkeymaps';
  return undefined;
}

export function parseKeymap(text: string): Keymap {
  return { layout: text.split('-')[0]!, name: text };
}
