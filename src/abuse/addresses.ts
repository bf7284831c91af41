import { BlockList, isIP } from 'node:net';

const mappedIpv4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * One spelling per client address: an IPv4 address that reached an IPv6 socket
 * (`::ffff:203.0.113.7`) is its IPv4 form, so it has one count and one ban, not two.
 */
export function canonicalAddress(ip: string): string {
  return mappedIpv4.exec(ip)?.[1] ?? ip.toLowerCase();
}

/** True for `ip` inside one of `entries` (addresses and CIDRs, IPv4 or IPv6). */
export function createAllowList(entries: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return (ip) => {
    const address = canonicalAddress(ip);
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}
