import { ConfigError } from '@cutover/kit';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction, type Socket } from 'node:net';

/**
 * Probes run hosts written in checklists that may come from an untrusted pull request, so they
 * must never reach link-local addresses or cloud metadata endpoints. A check on the host name
 * alone misses spellings (`[::ffff:169.254.169.254]`, `0xa9.0xfe.0xa9.0xfe`, `2852039166`) and
 * names that resolve there, so the decision is made on the address actually connected to:
 * literals are canonicalized before connecting, names are checked after resolution (custom
 * `lookup`), and the socket's remote address is checked once connected.
 */

/** A DNS lookup with the shape `net.connect` expects (`all: true` is always requested). */
export type ResolveFn = (
  hostname: string,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolve: ResolveFn = (hostname, callback) => {
  dnsLookup(hostname, { all: true }, callback);
};

/** IPv4 blocks, as [first octets, prefix bits, why]. */
const V4_BLOCKS: [number[], number, string][] = [
  [[169, 254], 16, 'link-local (cloud metadata lives there, e.g. 169.254.169.254, 169.254.170.2)'],
  [[100, 100, 100, 200], 32, 'the Alibaba Cloud metadata endpoint'],
  [[168, 63, 129, 16], 32, 'the Azure WireServer'],
];

/**
 * Why this IP address must not be contacted, or undefined when it may be. Every IPv6 form that
 * embeds an IPv4 address (mapped, compatible, SIIT, NAT64, 6to4) is judged by the IPv4 inside.
 */
export function forbiddenAddressReason(address: string): string | undefined {
  const v4 = ipv4Of(address);
  if (v4 !== undefined) {
    const block = V4_BLOCKS.find(([prefix, bits]) =>
      prefix.every((octet, i) => i * 8 >= bits || v4[i] === octet),
    );
    return block?.[2];
  }
  const groups = ipv6Groups(address);
  if (groups === undefined) return undefined;
  if (((groups[0] ?? 0) & 0xffc0) === 0xfe80) return 'IPv6 link-local (fe80::/10)';
  if (groups.join(':') === [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254].join(':'))
    return 'the AWS IPv6 metadata endpoint (fd00:ec2::254)';
  return undefined;
}

/** The message a probe reports for a refused address. */
export function refusalDetail(target: string, address: string, reason: string): string {
  const shown = address === target ? address : `${target} (${address})`;
  return `refused to contact ${shown}: ${reason}; verifiers never contact link-local or cloud metadata addresses`;
}

/** The four octets of an IPv4 address, or of the IPv4 address embedded in an IPv6 one. */
function ipv4Of(address: string): number[] | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.split('.').map(Number);
  const groups = ipv6Groups(bare);
  if (groups === undefined) return undefined;
  const low = (from: number) => {
    const a = groups[from] ?? 0;
    const b = groups[from + 1] ?? 0;
    return [a >> 8, a & 0xff, b >> 8, b & 0xff];
  };
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (SIIT), ::a.b.c.d (compatible, not :: or ::1)
  if (zeros(0, 5) && groups[5] === 0xffff) return low(6);
  if (zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0) return low(6);
  if (zeros(0, 6) && ((groups[6] ?? 0) !== 0 || (groups[7] ?? 0) > 1)) return low(6);
  // 64:ff9b::a.b.c.d (NAT64) and 2002:AABB:CCDD:: (6to4)
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return low(6);
  if (groups[0] === 0x2002) return low(1);
  return undefined;
}

/** Eight 16-bit groups of an IPv6 address (zone id ignored), or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(bare) !== 6) return undefined;
  let canonical: string;
  try {
    // The URL parser writes embedded dotted IPv4 as hex groups and lowercases.
    canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head = '', tail] = canonical.split('::');
  const part = (text: string | undefined) =>
    text === undefined || text === '' ? [] : text.split(':').map((g) => parseInt(g, 16));
  const before = part(head);
  const after = part(tail);
  const fill = tail === undefined ? [] : Array<number>(8 - before.length - after.length).fill(0);
  const groups = [...before, ...fill, ...after];
  return groups.length === 8 ? groups : undefined;
}

/**
 * The IP address a host name spells, if it spells one in any form a resolver accepts
 * (decimal, octal or hex IPv4 parts, bracketed IPv6); undefined for real names.
 */
export function literalAddress(host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(bare) !== 0) return bare;
  if (!/^[0-9a-fx.]+$/i.test(bare) || !/^[0-9]/.test(bare)) return undefined;
  try {
    // WHATWG URL implements the same inet_aton-style IPv4 forms as getaddrinfo.
    const hostname = new URL(`http://${bare}/`).hostname;
    return isIP(hostname) === 4 ? hostname : undefined;
  } catch {
    return undefined;
  }
}

/** Refusal detail for a host given as a literal address, before anything is sent. */
export function literalRefusal(host: string): string | undefined {
  const literal = literalAddress(host);
  if (literal === undefined) return undefined;
  const reason = forbiddenAddressReason(literal);
  return reason === undefined ? undefined : refusalDetail(host, literal, reason);
}

/** An error that carries a refusal detail, so the probe reports it as is. */
export class AddressRefused extends ConfigError {
  override name = 'AddressRefused';
}

/**
 * A `lookup` for net/tls/http that resolves with `resolve` and refuses the connection when any
 * address the name resolves to is forbidden (a name with one bad address is not trusted).
 */
export function guardedLookup(resolve: ResolveFn = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (error, addresses) => {
      if (error !== null) {
        callback(error, []);
        return;
      }
      for (const { address } of addresses) {
        const reason = forbiddenAddressReason(address);
        if (reason !== undefined) {
          callback(new AddressRefused(refusalDetail(hostname, address, reason)), []);
          return;
        }
      }
      const all = options.all === true;
      const first = addresses[0];
      if (all) callback(null, addresses);
      else if (first === undefined) {
        const missing: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        missing.code = 'ENOTFOUND';
        callback(missing, []);
      } else callback(null, first.address, first.family);
    });
  };
}

/** Destroys the socket when the address it actually connected to is forbidden. */
export function guardConnectedSocket(socket: Socket, target: string): void {
  const check = () => {
    const address = socket.remoteAddress;
    const reason = address === undefined ? undefined : forbiddenAddressReason(address);
    if (address !== undefined && reason !== undefined)
      socket.destroy(new AddressRefused(refusalDetail(target, address, reason)));
  };
  if (socket.remoteAddress !== undefined) check();
  else socket.once('connect', check);
}
