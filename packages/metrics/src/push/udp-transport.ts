import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { type ExportResult, failure, retryable, SUCCESS } from './export-result.js';
import type { Transport } from './retrying-transport.js';

/**
 * Datagrams to one host and port from one unconnected socket. Unconnected, because on a connected
 * UDP socket Linux reports an ICMP "port unreachable" as ECONNREFUSED on a later, unrelated send.
 * The socket never keeps the process alive, and its errors come back as results, never as an
 * uncaught 'error' event.
 */
export class UdpTransport implements Transport<Buffer> {
  readonly #host: string;
  readonly #port: number;
  readonly #socket: Socket;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
    this.#socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    this.#socket.on('error', () => {});
    this.#socket.unref();
  }

  send(datagram: Buffer, signal: AbortSignal): Promise<ExportResult> {
    const target = `udp ${this.#host}:${this.#port}`;
    return new Promise((resolve) => {
      const onAbort = () => resolve(retryable('timeout', `${target}: no send completion in time`));
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        this.#socket.send(datagram, this.#port, this.#host, (error) => {
          signal.removeEventListener('abort', onAbort);
          if (!error) resolve(SUCCESS);
          else if ((error as NodeJS.ErrnoException).code === 'EMSGSIZE') {
            resolve(failure('oversize', `${target}: ${datagram.length} bytes refused (EMSGSIZE)`));
          } else {
            resolve(
              retryable('network', `${target}: ${(error as NodeJS.ErrnoException).code ?? error.message}`),
            );
          }
        });
      } catch (error) {
        signal.removeEventListener('abort', onAbort);
        resolve(failure('network', `${target}: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  }

  close(): void {
    try {
      this.#socket.close();
    } catch {
      // Already closed, or never bound: nothing is left to release.
    }
  }
}
