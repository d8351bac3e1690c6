/**
 * Which primitives os/crypto runs: the core's native crypto group (BearSSL, os/hw/hw-crypto.ts)
 * when the image has it, @noble otherwise. The boot command line `nimbus.crypto=js` keeps
 * @noble (`nimbus run --crypto js`), so both paths stay tested; tests switch with
 * `setCryptoBackend`. In Node (no image) it is always @noble.
 */
import { hasGroup, nativeHw } from '../hw/hw.ts';
import type { HwCrypto } from '../hw/hw-crypto.ts';

export type CryptoBackend = 'native' | 'js';

let chosen: HwCrypto | null | undefined; // undefined: not decided yet

function fromMachine(): HwCrypto | null {
  const hw = nativeHw();
  if (!hw || !hasGroup(hw, 'crypto')) return null;
  if (/(^| )nimbus\.crypto=js( |$)/.test(hw.cmdline)) return null;
  return hw.crypto;
}

/** The native group in use, or null when @noble runs. */
export function native(): HwCrypto | null {
  if (chosen === undefined) chosen = fromMachine();
  return chosen;
}

export function cryptoBackend(): CryptoBackend {
  return native() ? 'native' : 'js';
}

/** Selects the primitives; 'native' throws where the image has no crypto group. */
export function setCryptoBackend(b: CryptoBackend): void {
  if (b === 'js') { chosen = null; return; }
  const hw = nativeHw();
  if (!hw || !hasGroup(hw, 'crypto')) throw new Error('setCryptoBackend: this machine has no native crypto group');
  chosen = hw.crypto;
}
