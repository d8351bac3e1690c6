/**
 * Test helper: a tiny authoritative DNS server on a NetworkService's UDP (port 53) that
 * answers A questions from a table, NXDOMAIN for other names, and can be told to stay
 * silent (timeouts) or to answer SERVFAIL. Runs on a UdpSocket of the service.
 */
import { parseIpv4 } from '../net/addr.ts';
import { DnsClass, dnsLength, DnsRcode, DnsType, DNS_PORT, emitDns, parseDns, type DnsMessage } from '../net/wire/dns.ts';
import type { NetworkService } from './index.ts';

export interface DnsResponderOptions {
  /** Names never answered (the client times out). */
  silent?: string[];
  /** Names answered with SERVFAIL. */
  servfail?: string[];
  ttl?: number;
}

export interface DnsResponder {
  /** Questions received, in order. */
  readonly queries: string[];
  close(): void;
}

export function startDnsResponder(svc: NetworkService, table: Record<string, string | string[]>, opts: DnsResponderOptions = {}): DnsResponder {
  const queries: string[] = [];
  const socket = svc.bindUdp({
    port: DNS_PORT,
    onMessage: (_now, m) => {
      const r = parseDns(m.payload);
      if (!r.ok || r.value.response || r.value.questions.length !== 1) return;
      const q = r.value.questions[0]!;
      const name = q.name.toLowerCase();
      queries.push(name);
      if (opts.silent?.includes(name)) return;
      const entry = table[name];
      const addresses = entry === undefined ? [] : Array.isArray(entry) ? entry : [entry];
      const reply: DnsMessage = {
        id: r.value.id, response: true, opcode: 0, authoritative: true, truncated: false,
        recursionDesired: r.value.recursionDesired, recursionAvailable: true,
        rcode: opts.servfail?.includes(name) ? DnsRcode.SERVFAIL : entry === undefined ? DnsRcode.NXDOMAIN : DnsRcode.NOERROR,
        questions: [q],
        answers: q.type === DnsType.A && !opts.servfail?.includes(name)
          ? addresses.map((a) => ({ name: q.name, type: DnsType.A, class: DnsClass.IN, ttl: opts.ttl ?? 60, data: { kind: 'A' as const, address: parseIpv4(a)! } }))
          : [],
        authorities: [], additionals: [],
      };
      const buf = new Uint8Array(dnsLength(reply));
      emitDns(reply, buf);
      socket.send(m.src, m.srcPort, buf);
    },
  });
  return { queries, close: () => socket.close() };
}
