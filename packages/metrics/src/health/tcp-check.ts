import { connect } from 'node:net';
import { invalidOption } from '../base/errors.js';
import type { CheckFn } from './health-check.js';

export interface TcpCheckOptions {
  /** Default `localhost`. */
  readonly host?: string;
  readonly port: number;
}

/** A check that opens a TCP connection to `host:port` and closes it at once. */
export function tcpCheck(options: TcpCheckOptions): CheckFn {
  const port = options?.port;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw invalidOption('tcpCheck port', port, 'an integer from 1 to 65535');
  }
  const host = options.host ?? 'localhost';
  if (typeof host !== 'string' || host === '')
    throw invalidOption('tcpCheck host', host, 'a host name or address');
  return (signal) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host, port, signal });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', reject);
    });
}
