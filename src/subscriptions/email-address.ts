// What counts as an address we will mail: RFC 5321 limits, a dot-atom local part, and a real-looking
// domain, normalised so that one mailbox has one spelling (domain lowercased, IDN as punycode).
import { domainToASCII } from 'node:url';

export type AddressCheck = { ok: true; email: string } | { ok: false; problem: string };

const controlCharacters = /[\p{Cc}\u2028\u2029]/u;
const dotAtom = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function normaliseEmail(input: unknown): AddressCheck {
  if (typeof input !== 'string' || input.trim() === '') return fail('Please enter your email address.');
  const raw = input.trim();
  if (controlCharacters.test(raw))
    return fail('The address must not contain line breaks or control characters.');
  if (raw.length > 254) return fail('That address is too long: at most 254 characters.');
  const parts = raw.split('@');
  if (parts.length !== 2) return fail('An email address has exactly one @, like you@example.com.');
  const [local = '', domain = ''] = parts;
  if (local === '') return fail('Something is missing before the @.');
  if (local.length > 64) return fail('The part before the @ is too long: at most 64 characters.');
  if (!dotAtom.test(local)) {
    return fail("The part before the @ may only use letters a–z, digits, dots and !#$%&'*+/=?^_`{|}~- .");
  }
  const ascii = domainToASCII(domain.toLowerCase());
  if (ascii === '' || ascii.length > 253) return fail(`"${domain}" is not a valid domain name.`);
  const labels = ascii.split('.');
  if (labels.length < 2) return fail('The domain needs a dot, like example.com.');
  if (!labels.every((l) => label.test(l)) || /^[0-9]+$/.test(labels.at(-1) ?? '')) {
    return fail(`"${domain}" is not a valid domain name.`);
  }
  const email = `${local}@${ascii}`;
  if (email.length > 254) return fail('That address is too long: at most 254 characters.');
  return { ok: true, email };
}

function fail(problem: string): AddressCheck {
  return { ok: false, problem };
}
