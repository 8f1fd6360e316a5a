import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { renderTable } from '../../src/ui/table.js';

/** What paint() puts around a cell on a colour terminal (styleText leaves them out when stdout is not one). */
const paint = (colour: 'green' | 'red' | 'yellow' | 'bold', text: string, _on: boolean) =>
  `\x1b[${{ green: 32, red: 31, yellow: 33, bold: 1 }[colour]}m${text}\x1b[${colour === 'bold' ? 22 : 39}m`;

/** Where each column starts on a line as the terminal shows it (escape codes take no room). */
function columnStarts(line: string, words: string[]): number[] {
  const shown = stripVTControlCharacters(line);
  let from = 0;
  return words.map((word) => {
    const at = shown.indexOf(word, from);
    assert.notEqual(at, -1, `${word} in ${shown}`);
    from = at + word.length;
    return at;
  });
}

test("coloured cells line up with the header as a terminal shows them (doctor's table)", () => {
  const rows = [
    [paint('green', 'ok  ', true), 'ansible-playbook', 'bootstrap', '2.14.18'],
    [paint('red', 'FAIL', true), 'terraform', 'make apply', 'not found'],
    [paint('yellow', 'warn', true), 'kubectl', 'status', 'v1.34.2'],
  ];
  assert.notEqual(rows[0][0], 'ok  ', 'the cells really carry escape codes');
  const table = renderTable(['', 'check', 'needed by', 'found'], rows).split('\n');
  const header = columnStarts(table[0], ['check', 'needed by', 'found']);
  assert.deepEqual(header, [6, 24, 36]);
  for (const [i, row] of rows.entries()) assert.deepEqual(columnStarts(table[i + 2], row.slice(1)), header, table[i + 2]);
  assert.equal(stripVTControlCharacters(table[1]), '----  ----------------  ----------  ---------');
});

test('a coloured cell in a middle column pads by what it shows', () => {
  const table = renderTable(
    ['a', 'b', 'c'],
    [
      ['x', paint('bold', 'long value', true), 'end'],
      ['yy', 'short', 'end'],
    ],
  ).split('\n');
  const starts = table.slice(2).map((line) => stripVTControlCharacters(line).indexOf('end'));
  assert.deepEqual(starts, [16, 16]);
});
