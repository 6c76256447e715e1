import { readFileSync, statSync } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { TlsServerConfig } from '../config/web-config.js';

/**
 * The TLS options of a listener from the web configuration: its certificate pair, the client
 * authorities and versions.
 */
export function tlsOptions(
  tls: TlsServerConfig,
  pair = { cert: tls.cert, key: tls.key },
): SecureContextOptions {
  return {
    ...pair,
    minVersion: tls.minVersion,
    ...(tls.maxVersion && { maxVersion: tls.maxVersion }),
    ...(tls.clientCa && { ca: tls.clientCa }),
  };
}

/**
 * Serves renewed certificates without a restart, as Prometheus does (exporter-toolkit reads the
 * certificate files at each handshake): before each connection's handshake the certificate and key
 * files are looked at (a stat of each), and when either changed they are read again and used from
 * that connection on. A pair that does not load (a key not written yet beside its new certificate,
 * a broken file) is reported once and the previous one kept, tried again when the files change again.
 */
export function reloadCertificates(
  server: HttpsServer,
  tls: TlsServerConfig,
  report: (message: string) => void,
): void {
  const version = () => {
    try {
      return [tls.certFile, tls.keyFile]
        .map((f) => {
          const s = statSync(f);
          return `${s.ino}:${s.size}:${s.mtimeMs}`;
        })
        .join('/');
    } catch (error) {
      return `missing: ${(error as Error).message}`;
    }
  };
  let seen = version();
  // Before the TLS server's own listener, which starts the handshake with the context set now.
  server.prependListener('connection', () => {
    const now = version();
    if (now === seen) return;
    seen = now;
    try {
      const pair = { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
      const options = tlsOptions(tls, pair);
      createSecureContext(options);
      server.setSecureContext(options);
    } catch (error) {
      report(
        `${tls.certFile}, ${tls.keyFile}: not reloaded, still serving the previous certificate (${(error as Error).message})`,
      );
    }
  });
}
