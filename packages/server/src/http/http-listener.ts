import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { TlsServerConfig } from '../config/web-config.js';

type Handle = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The HTTP server of `vigil serve`: plain, or TLS from the web configuration file with Go's client
 * certificate policies (`client_auth_type`) mapped onto OpenSSL's two switches, the checks OpenSSL
 * does not make done on each new connection.
 */
export function createListener(handle: Handle, tls: TlsServerConfig | undefined) {
  if (!tls) return createHttpServer(handle);
  const { clientAuth } = tls;
  const server = createHttpsServer(
    {
      cert: tls.cert,
      key: tls.key,
      minVersion: tls.minVersion,
      ...(tls.maxVersion && { maxVersion: tls.maxVersion }),
      ...(tls.clientCa && { ca: tls.clientCa }),
      requestCert: clientAuth !== 'NoClientCert',
      rejectUnauthorized: clientAuth === 'RequireAndVerifyClientCert',
    },
    handle,
  );
  if (clientAuth === 'RequireAnyClientCert' || clientAuth === 'VerifyClientCertIfGiven') {
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const given = Object.keys(socket.getPeerCertificate()).length > 0;
      const refused = clientAuth === 'RequireAnyClientCert' ? !given : given && !socket.authorized;
      if (refused) socket.destroy();
    });
  }
  return server;
}
