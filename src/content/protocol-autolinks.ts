// GFM's extended protocol autolinks (`mailto:a@b.c`, `xmpp:a@b.c/resource`), which micromark links as a
// bare e-mail address after the text "xmpp:", turning a chat address into a mailto: link.
import type { Link, Parents, Root, Text } from 'mdast';
import { visit } from 'unist-util-visit';

const protocolBefore = /(?:^|[^\w+\-.@])(mailto|xmpp):$/;
/** https://github.github.com/gfm/#extended-protocol-autolink: one `/` and letters, digits, `@` or `.` */
const xmppResource = /^\/(?:[\dA-Za-z@]|\.(?=[\dA-Za-z@]))+/;

export function linkProtocolAddresses(tree: Root): void {
  visit(tree, 'link', (link: Link, index, parent: Parents | undefined) => {
    if (!parent || index === undefined || index === 0) return;
    const before = parent.children[index - 1];
    const label =
      link.children.length === 1 && link.children[0]?.type === 'text' ? link.children[0] : undefined;
    if (before?.type !== 'text' || !label || link.url !== `mailto:${label.value}`) return;
    const protocol = protocolBefore.exec(before.value)?.[1];
    if (!protocol) return;
    let address = `${protocol}:${label.value}`;
    before.value = before.value.slice(0, -(protocol.length + 1));
    if (protocol === 'xmpp') address += takeResource(parent, index + 1);
    link.url = address;
    label.value = address;
    if (before.value === '') {
      parent.children.splice(index - 1, 1);
      return index;
    }
    return undefined;
  });
}

/**
 * The `/resource` after an xmpp address, taken out of the nodes that follow it: micromark may have linked a
 * part of it that looks like an e-mail address (`/txt@bin.com`) already.
 */
function takeResource(parent: Parents, start: number): string {
  const pieces: { node: Text; value: string }[] = [];
  for (let at = start; at < parent.children.length; at++) {
    const node = parent.children[at];
    if (node?.type === 'text') pieces.push({ node, value: node.value });
    else if (node?.type === 'link' && node.children.length === 1 && node.children[0]?.type === 'text')
      pieces.push({ node: node.children[0], value: node.children[0].value });
    else break;
  }
  const resource = xmppResource.exec(pieces.map((piece) => piece.value).join(''))?.[0] ?? '';
  let left = resource.length;
  let taken = 0;
  for (const [offset, piece] of pieces.entries()) {
    if (left === 0) break;
    const isText = parent.children[start + offset]?.type === 'text';
    if (!isText && piece.value.length > left) break;
    const used = Math.min(left, piece.value.length);
    piece.node.value = piece.value.slice(used);
    left -= used;
    taken++;
  }
  // Nodes used up whole (a text emptied, a link swallowed) leave the tree.
  const used = parent.children.slice(start, start + taken);
  const isEmpty = (node: (typeof used)[number]) =>
    (node.type === 'text' && node.value === '') ||
    (node.type === 'link' && (node.children[0] as Text | undefined)?.value === '');
  parent.children.splice(start, taken, ...used.filter((node) => !isEmpty(node)));
  return resource.slice(0, resource.length - left);
}
