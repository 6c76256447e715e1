import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { createSecureContext, type SecureVersion } from 'node:tls';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { readYamlFile } from './yaml-file.js';
import { zodIssueDetail } from './zod-issue-detail.js';

/**
 * The web configuration file of Prometheus's exporter-toolkit (`--web.config.file`): TLS for the
 * listener and basic-auth users with bcrypt hashes, so neither a password nor the bearer token has to
 * cross the network in clear. The same file a Prometheus or an exporter reads works here, within the
 * keys below; any other key is refused by name rather than ignored, since an ignored security setting
 * is one the operator believes is on.
 */
export interface WebConfig {
  readonly tls: TlsServerConfig | undefined;
  /** User name → bcrypt hash (`$2a$`, `$2b$` or `$2y$`, as htpasswd -B writes). */
  readonly basicAuthUsers: ReadonlyMap<string, string>;
}

export interface TlsServerConfig {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Where `cert` and `key` were read from (absolute): re-read when they change, as certificates are renewed. */
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientAuth: ClientAuthType;
  /** PEM certificates of the authorities client certificates are verified against. */
  readonly clientCa: Buffer | undefined;
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion | undefined;
}

/** Go's tls.ClientAuthType names, as exporter-toolkit reads them. */
export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';

const VERSIONS: Readonly<Record<string, SecureVersion>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/** exporter-toolkit keys vigil does not implement: named in the error instead of "unknown key". */
const UNSUPPORTED = new Set([
  'cipher_suites',
  'curve_preferences',
  'prefer_server_cipher_suites',
  'client_allowed_sans',
  'cert',
  'key',
  'http_server_config',
  'rate_limit',
]);

const version = z.enum(Object.keys(VERSIONS) as [string, ...string[]]);

const SCHEMA = z
  .object({
    tls_server_config: z
      .object({
        cert_file: z.string().min(1),
        key_file: z.string().min(1),
        client_auth_type: z
          .enum([
            'NoClientCert',
            'RequestClientCert',
            'RequireAnyClientCert',
            'VerifyClientCertIfGiven',
            'RequireAndVerifyClientCert',
          ])
          .default('NoClientCert'),
        client_ca_file: z.string().min(1).optional(),
        min_version: version.default('TLS12'),
        max_version: version.optional(),
      })
      .strict(),
    basic_auth_users: z.record(
      z.string().regex(/^[^:\s]+$/, 'expected a user name without ":" or spaces'),
      z
        .string()
        .regex(BCRYPT, 'expected a bcrypt hash such as $2y$10$... (htpasswd -nBC 10 "" | tr -d \':\\n\')'),
    ),
  })
  .partial()
  .strict();

/** Reads and checks the file; every error names the file and the key, or the certificate file. */
export function loadWebConfig(file: string): WebConfig {
  const raw = readYamlFile(file, 'web configuration file');
  const unsupported = unsupportedKeys(raw);
  if (unsupported)
    throw new ConfigError(
      `${file}: ${unsupported}: not supported by vigil (supported: tls_server_config.cert_file, key_file, client_auth_type, client_ca_file, min_version, max_version; basic_auth_users)`,
    );
  const parsed = SCHEMA.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${file}: ${issue.path.join('.') || '(top level)'}: ${zodIssueDetail(issue, raw)}`);
  }
  const { tls_server_config: tls, basic_auth_users: users = {} } = parsed.data;
  // Paths inside the file are relative to it, as exporter-toolkit resolves them.
  const fullPath = (path: string) => resolvePath(dirname(resolvePath(file)), path);
  const read = (key: string, path: string) => {
    const full = fullPath(path);
    try {
      return readFileSync(full);
    } catch (error) {
      throw new ConfigError(
        `${file}: tls_server_config.${key}: cannot read ${full} (${(error as Error).message})`,
      );
    }
  };
  return {
    tls: tls && {
      ...checkedPair(file, read('cert_file', tls.cert_file), read('key_file', tls.key_file)),
      certFile: fullPath(tls.cert_file),
      keyFile: fullPath(tls.key_file),
      clientAuth: tls.client_auth_type,
      clientCa: clientCa(file, tls, read),
      minVersion: VERSIONS[tls.min_version]!,
      maxVersion: tls.max_version === undefined ? undefined : VERSIONS[tls.max_version],
    },
    basicAuthUsers: new Map(Object.entries(users)),
  };
}

function clientCa(
  file: string,
  tls: { client_auth_type: ClientAuthType; client_ca_file?: string | undefined },
  read: (key: string, path: string) => Buffer,
): Buffer | undefined {
  const verifies = tls.client_auth_type.includes('Verify');
  if (verifies && tls.client_ca_file === undefined)
    throw new ConfigError(
      `${file}: tls_server_config.client_ca_file: required when client_auth_type is ${tls.client_auth_type}`,
    );
  if (!verifies && tls.client_ca_file !== undefined)
    throw new ConfigError(
      `${file}: tls_server_config.client_ca_file: only used with client_auth_type VerifyClientCertIfGiven or RequireAndVerifyClientCert (got ${tls.client_auth_type})`,
    );
  if (tls.client_ca_file === undefined) return undefined;
  const ca = read('client_ca_file', tls.client_ca_file);
  try {
    createSecureContext({ ca });
  } catch (error) {
    throw new ConfigError(
      `${file}: tls_server_config.client_ca_file: not a PEM certificate (${(error as Error).message})`,
    );
  }
  return ca;
}

/** The pair OpenSSL accepts, or an error saying which half is wrong. */
function checkedPair(file: string, cert: Buffer, key: Buffer): { cert: Buffer; key: Buffer } {
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const message = (error as Error).message;
    const which = /key values mismatch/i.test(message)
      ? 'cert_file and key_file do not belong together'
      : /PEM|no start line|bad base64|asn1|DECODER/i.test(message) && /key/i.test(message)
        ? 'key_file: not a PEM private key'
        : 'cert_file: not a PEM certificate';
    throw new ConfigError(`${file}: tls_server_config.${which} (${message})`);
  }
  return { cert, key };
}

function unsupportedKeys(raw: unknown): string | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const top = raw as Record<string, unknown>;
  for (const key of Object.keys(top)) if (UNSUPPORTED.has(key)) return key;
  const tls = top.tls_server_config;
  if (tls && typeof tls === 'object')
    for (const key of Object.keys(tls)) if (UNSUPPORTED.has(key)) return `tls_server_config.${key}`;
  return undefined;
}
