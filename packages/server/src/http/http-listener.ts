import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Registry } from '@vigil/metrics';
import type { TlsServerConfig } from '../config/web-config.js';
import { reloadCertificates, tlsOptions } from './certificate-reload.js';
import { HttpError } from './http-error.js';
import { envelopeOf, sendError } from './respond.js';

export interface ListenerOptions {
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  readonly tls: TlsServerConfig | undefined;
  /** Connections served at once; the ones past it are answered 503 (`limits.maxConnections`). */
  readonly maxConnections: number;
  readonly registry: Registry;
}

/** How long a connection past the cap may stay to read its 503 before it is closed. */
const REFUSED_GRACE_MS = 2000;

/**
 * The HTTP server of `vigil serve`: plain, or TLS from the web configuration file with Go's client
 * certificate policies (`client_auth_type`) mapped onto OpenSSL's two switches, the checks OpenSSL
 * does not make done on each new connection.
 *
 * At most `maxConnections` connections are served; one past it gets a 503 to its request (a clear
 * answer, not a hang or a reset) and is closed after REFUSED_GRACE_MS, so idle sockets cannot take
 * every file descriptor. Past twice the cap, Node closes new connections at once (`maxConnections` of
 * the socket server), which bounds the sockets held while their 503 is answered, and those of TLS
 * handshakes not yet finished.
 */
export function createListener(options: ListenerOptions) {
  const { tls, maxConnections: max } = options;
  const refused = new WeakSet<Duplex>();
  let open = 0;
  options.registry.gauge({
    name: 'vigil_http_connections',
    help: 'HTTP connections being served (at most limits.maxConnections).',
    collect: (g) => g.set(open),
  });
  const refusals = options.registry.counter({
    name: 'vigil_http_refused_connections_total',
    help: 'HTTP connections answered 503 because limits.maxConnections were already open.',
  });

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (!refused.has(req.socket)) {
      options.handle(req, res);
      return;
    }
    res.setHeader('connection', 'close');
    sendError(
      res,
      new HttpError(
        'VIGIL_TOO_MANY_CONNECTIONS',
        `${max} connections are open, the limit (limits.maxConnections); retry later`,
      ),
      envelopeOf((req.url ?? '/').split('?')[0]!),
    );
  };
  const server = tls ? tlsServer(tls, handle) : createHttpServer(handle);
  server.maxConnections = 2 * max;
  const accept = (socket: Socket) => {
    if (open >= max) {
      refused.add(socket);
      refusals.inc();
      socket.setTimeout(REFUSED_GRACE_MS, () => socket.destroy());
      return;
    }
    open++;
    socket.once('close', () => open--);
  };
  // A TLS connection is counted once its handshake is done, when an answer can be written to it.
  server.prependListener(tls ? 'secureConnection' : 'connection', accept);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (refused.has(socket)) socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
    else options.upgrade(req, socket, head);
  });
  return server;
}

/**
 * An HTTPS server from the web configuration (the main listener's and the status listener's), whose
 * certificate is re-read when its files change (certificate-reload.ts).
 */
export function tlsServer(tls: TlsServerConfig, handle: ListenerOptions['handle']) {
  const { clientAuth } = tls;
  const server = createHttpsServer(
    {
      ...tlsOptions(tls),
      requestCert: clientAuth !== 'NoClientCert',
      rejectUnauthorized: clientAuth === 'RequireAndVerifyClientCert',
    },
    handle,
  );
  reloadCertificates(server, tls, (message) => console.error(`vigil: web config: ${message}`));
  if (clientAuth === 'RequireAnyClientCert' || clientAuth === 'VerifyClientCertIfGiven') {
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const given = Object.keys(socket.getPeerCertificate()).length > 0;
      const refused = clientAuth === 'RequireAnyClientCert' ? !given : given && !socket.authorized;
      if (refused) socket.destroy();
    });
  }
  return server;
}
