// Relay replies and bounce reports quote addresses; what we keep of them (ledger, log, tables) must not,
// or erasing a person would leave their address behind in a diagnostic.
const address =
  /[^\s<>()[\]"',;:@]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/g;

export function redactAddresses(text: string, maxLength = 500): string {
  return text.replace(address, '[address]').slice(0, maxLength);
}
