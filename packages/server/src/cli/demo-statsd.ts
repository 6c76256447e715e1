import { createSocket } from 'node:dgram';
import type { HostPort } from '../config/config.js';

/**
 * The StatsD address `vigil demo` listens on: the configured one when it is free, else a port the
 * system picks, with `busy` set so the demo says so. A local StatsD or Datadog agent on UDP 8125 must
 * not stop a try-out; `vigil serve` keeps failing on a taken port, as a service should.
 */
export async function demoStatsdAddress(address: HostPort): Promise<{ address: HostPort; busy: boolean }> {
  const socket = createSocket(address.host.includes(':') ? 'udp6' : 'udp4');
  const busy = await new Promise<boolean>((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    socket.bind(address.port, address.host, () => resolve(false));
  });
  await new Promise<void>((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
  return busy ? { address: { ...address, port: 0 }, busy } : { address, busy };
}
