// One inbox, many spellings: what the confirmation-mail limits count by. Mail still goes to the address
// exactly as given; this key only decides that A+news@x, a+promo@x and a@x fill the same inbox.
const dotlessDomains = new Set(['gmail.com', 'googlemail.com']);

export function mailboxOf(email: string): string {
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1).toLowerCase();
  let local = email.slice(0, at).toLowerCase();
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  // Gmail ignores dots in the local part, and googlemail.com is the same service.
  if (dotlessDomains.has(domain)) return `${local.replace(/\./g, '')}@gmail.com`;
  return `${local}@${domain}`;
}
