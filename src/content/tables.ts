// Tables as a reader needs them: a box of their own that scrolls on a phone, and, when the top-left cell
// is empty, the first cell of each row as that row's header, the way such a table is read.
import type { Element, ElementContent, Root } from 'hast';
import { toString as hastToString } from 'hast-util-to-string';
import { visitElements } from './hast-walk.js';

/**
 * The scrolling box is a region in the tab order, so that a keyboard can scroll it too (WCAG 2.1.1),
 * named after the table's column headings so that each region's name is its own.
 */
export function shapeTables(tree: Root): void {
  const names = new Map<string, number>();
  visitElements(tree, (node, index, parent) => {
    if (node.tagName !== 'table' || !parent || index === undefined) return;
    if (hasEmptyCorner(node)) addRowHeaders(node);
    let name = `Table: ${tableHeadings(node) || 'untitled'}`;
    const seen = (names.get(name) ?? 0) + 1;
    names.set(name, seen);
    if (seen > 1) name = `${name} (${seen})`;
    parent.children[index] = {
      type: 'element',
      tagName: 'div',
      properties: { className: ['table-scroll'], role: 'region', ariaLabel: name, tabIndex: 0 },
      children: [node],
    };
    return 'skip';
  });
}

/**
 * Collects the column headings for the region's name. Also turns GFM's column alignment from the `align`
 * attribute, obsolete in HTML and beaten by any stylesheet's text-align, into a class.
 */
function tableHeadings(table: Element): string {
  const headings: string[] = [];
  visitElements(table, (node) => {
    if (node.tagName !== 'th' && node.tagName !== 'td') return;
    const { align } = node.properties;
    if (typeof align === 'string') {
      node.properties.className = [`align-${align}`];
      delete node.properties.align;
    }
    if (node.tagName === 'th' && node.properties.scope !== 'row') headings.push(hastToString(node).trim());
  });
  const text = headings.filter(Boolean).join(', ');
  return text.length > 80 ? `${text.slice(0, 79).trimEnd()}…` : text;
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
  for (const row of rowsOf(table, 'thead')) {
    const [corner, ...columns] = cellsOf(row);
    // The empty corner heads nothing: a data cell, so no header cell lacks its scope.
    if (corner) corner.tagName = 'td';
    for (const cell of columns) cell.properties.scope = 'col';
  }
  for (const row of rowsOf(table, 'tbody')) {
    const [first] = cellsOf(row);
    if (!first) continue;
    first.tagName = 'th';
    first.properties.scope = 'row';
  }
}
