// Which reverse proxies' X-Forwarded-For to believe. `true` (believe anyone) is refused: behind it a
// client sets its own address, passes every per-address limit and writes a forged IP into its consent
// proof. What is accepted is the proxies' addresses or networks, or the number of proxies in front.
import { isIP } from 'node:net';

export type TrustProxy = false | number | string[];

export const trustProxyHelp =
  'write the proxy addresses or networks (TRUST_PROXY=127.0.0.1 or 10.0.0.0/8, comma-separated) or the number of proxies in front (TRUST_PROXY=1)';

/** The setting, or a one-line problem to report. */
export function parseTrustProxy(value: string): TrustProxy | { problem: string } {
  const text = value.trim().toLowerCase();
  if (text === 'false' || text === '' || text === '0') return false;
  if (text === 'true')
    return { problem: `true would believe any client's X-Forwarded-For; ${trustProxyHelp}` };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops <= 16 ? hops : { problem: `${hops} proxies in a row is not plausible; ${trustProxyHelp}` };
  }
  const entries = text.split(',').map((e) => e.trim());
  const bad = entries.find((e) => !isAddressOrNetwork(e));
  if (bad !== undefined) return { problem: `"${bad}" is not an address or network; ${trustProxyHelp}` };
  return entries;
}

function isAddressOrNetwork(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
