// Every element of a hast tree, in document order: what unist-util-visit does for `'element'`, without its
// array of ancestors per node, which made the render passes cost more than building the tree.
import type { Element, Root } from 'hast';

/** Return 'skip' not to enter the element (for instance after putting another in its place). */
export type ElementVisitor = (node: Element, index: number, parent: Root | Element) => 'skip' | undefined;

export function visitElements(tree: Root | Element, visitor: ElementVisitor): void {
  const { children } = tree;
  for (let index = 0; index < children.length; index++) {
    const node = children[index];
    if (node?.type !== 'element') continue;
    if (visitor(node, index, tree) !== 'skip') visitElements(node, visitor);
  }
}
