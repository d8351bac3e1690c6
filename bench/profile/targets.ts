/** A prebuilt Nimbus image as a bench target: QEMU (TCG), q35, user network, port 80 forwarded. */
import { qemuArgs } from '../../cli/run.ts';
import type { Target } from '../baseline/run.ts';

export function imageTarget(image: string, name = image): Target {
  return {
    name,
    args: (memMiB, port) => qemuArgs({
      image, memMiB, machine: 'q35', args: [], env: {}, net: { kind: 'user' },
      ports: [{ hostAddress: '127.0.0.1', hostPort: port, guestPort: 80, proto: 'tcp' }],
    }),
  };
}
