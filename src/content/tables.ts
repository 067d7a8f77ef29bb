// Tables as a reader needs them: a box of their own that scrolls on a phone, and, when the top-left cell
// is empty, the first cell of each row as that row's header, the way such a table is read.
import type { Element, ElementContent, Root } from 'hast';
import { toString as hastToString } from 'hast-util-to-string';
import { visit } from 'unist-util-visit';

export function shapeTables(tree: Root): void {
  visit(tree, 'element', (node: Element, index, parent) => {
    if (node.tagName !== 'table' || !parent || index === undefined) return;
    if (hasEmptyCorner(node)) addRowHeaders(node);
    parent.children[index] = {
      type: 'element',
      tagName: 'div',
      properties: { className: ['table-scroll'] },
      children: [node],
    };
    return 'skip';
  });
}

const elements = (nodes: ElementContent[], tagName: string) =>
  nodes.filter((node): node is Element => node.type === 'element' && node.tagName === tagName);

function rowsOf(table: Element, section: 'thead' | 'tbody'): Element[] {
  return elements(table.children, section).flatMap((part) => elements(part.children, 'tr'));
}

function cellsOf(row: Element): Element[] {
  return row.children.filter(
    (node): node is Element => node.type === 'element' && (node.tagName === 'th' || node.tagName === 'td'),
  );
}

function hasEmptyCorner(table: Element): boolean {
  const [headerRow] = rowsOf(table, 'thead');
  const corner = headerRow ? cellsOf(headerRow)[0] : undefined;
  return corner !== undefined && hastToString(corner).trim() === '' && rowsOf(table, 'tbody').length > 0;
}

function addRowHeaders(table: Element): void {
  for (const row of rowsOf(table, 'thead'))
    for (const cell of cellsOf(row).slice(1)) cell.properties.scope = 'col';
  for (const row of rowsOf(table, 'tbody')) {
    const [first] = cellsOf(row);
    if (!first) continue;
    first.tagName = 'th';
    first.properties.scope = 'row';
  }
}
