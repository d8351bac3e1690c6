// On the process target over a tap: prints the net group's offloads and checks that the core
// refuses every virtio_net_hdr hw.h forbids (RangeError) and takes well-formed ones.
const net = (globalThis as any).__nimbus_hw.net;
console.log(`offloads=${net.offloads} headerLength=${net.headerLength}`);
const H = net.headerLength as number;

/** header + an Ethernet frame of `len` bytes (broadcast, local experimental EtherType 0x88b5). */
function frame(len: number, hdr: { flags?: number; gso?: number; gsoSize?: number; start?: number; offset?: number } = {}): Uint8Array {
  const b = new Uint8Array(H + len);
  const v = new DataView(b.buffer);
  b[0] = hdr.flags ?? 0; b[1] = hdr.gso ?? 0;
  v.setUint16(4, hdr.gsoSize ?? 0, true); v.setUint16(6, hdr.start ?? 0, true); v.setUint16(8, hdr.offset ?? 0, true);
  b.fill(0xff, H, H + 6);
  b[H + 12] = 0x88; b[H + 13] = 0xb5;
  return b;
}

const refused = (name: string, f: Uint8Array) => {
  try { net.transmit(f); console.log(`${name}: taken`); } catch (e) { console.log(`${name}: ${e instanceof RangeError ? 'RangeError' : e}`); }
};
refused('plain', frame(60));
refused('needs-csum', frame(100, { flags: 1, start: 34, offset: 16 }));
refused('tso', frame(14 + 20 + 20 + 3000, { flags: 1, gso: 1, gsoSize: 1448, start: 34, offset: 16 }));
refused('data-valid-on-transmit', frame(60, { flags: 2 }));
refused('gso-udp', frame(3000, { flags: 1, gso: 3, gsoSize: 1000, start: 34, offset: 6 }));
refused('gso-without-csum', frame(3000, { gso: 1, gsoSize: 1448 }));
refused('gso-size-0', frame(3000, { flags: 1, gso: 1, start: 34, offset: 16 }));
refused('csum-past-end', frame(60, { flags: 1, start: 50, offset: 16 }));
refused('too-long-without-gso', frame(1519));
refused('too-long-with-gso', frame(14 + 65536, { flags: 1, gso: 1, gsoSize: 1448, start: 34, offset: 16 }));
refused('too-short', frame(13));
