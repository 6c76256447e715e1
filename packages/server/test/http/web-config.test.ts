import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../../test/support/until.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/config-error.js';

let dir: string;
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-web-config-'));
  openssl(
    'req',
    '-x509',
    ...EC,
    '-keyout',
    file('server.key'),
    '-out',
    file('server.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  );
  openssl(
    'req',
    '-x509',
    ...EC,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=vigil test CA',
  );
  openssl(
    'req',
    '-new',
    ...EC,
    '-keyout',
    file('client.key'),
    '-out',
    file('client.csr'),
    '-subj',
    '/CN=client',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file('client.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('client.pem'),
    '-days',
    '1',
  );
  openssl(
    'req',
    '-x509',
    ...EC,
    '-keyout',
    file('other.key'),
    '-out',
    file('other.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=other',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function webConfig(name: string, text: string): string {
  writeFileSync(file(name), text);
  return file(name);
}

async function start(webConfigFile: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const data = mkdtempSync(join(dir, 'data-'));
  return serve(loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off', webConfigFile }, env));
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

function get(
  url: string,
  headers: Record<string, string> = {},
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = { ca: readFileSync(file('server.pem')) },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { headers, agent: false, ...tls }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('--web.config.file: TLS and basic auth as Prometheus reads them', () => {
  it('serves HTTPS with the certificate, and nothing in clear on that port', async () => {
    // The client trusts the self-signed certificate as its own authority.
    const server = await start(
      webConfig('tls.yml', `tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n`),
    );
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ok = await get(`${server.url}/-/healthy`);
      expect(ok.status).toBe(200);
      expect(ok.body).toBe('vigil is Healthy.\n');
      const clear = get(`${server.url.replace('https:', 'http:')}/-/healthy`);
      await expect(clear).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it('serves the status listener over the same TLS, and both listeners a renewed certificate without a restart', async () => {
    const rotating = mkdtempSync(join(dir, 'rotating-'));
    const selfSigned = (cn: string, certFile: string, keyFile: string) =>
      openssl(
        'req',
        '-x509',
        ...EC,
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        `/CN=${cn}`,
      );
    const certFile = join(rotating, 'tls.crt');
    const keyFile = join(rotating, 'tls.key');
    selfSigned('first', certFile, keyFile);
    const config = webConfig(
      'rotating.yml',
      `tls_server_config:\n  cert_file: ${certFile}\n  key_file: ${keyFile}\n`,
    );
    const data = mkdtempSync(join(dir, 'data-'));
    const server = await serve(
      loadConfig(
        { listen: '127.0.0.1:0', data, statsd: 'off', webConfigFile: config, statusListen: '127.0.0.1:0' },
        {},
      ),
    );
    /** The certificate a listener presents to a new connection, by fingerprint, and its answer. */
    const presented = (url: string) =>
      new Promise<{ fingerprint: string; status: number }>((resolve, reject) => {
        const req = httpsRequest(`${url}/status/none`, { agent: false, rejectUnauthorized: false }, (res) => {
          const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
          res.resume();
          res.on('end', () => resolve({ fingerprint, status: res.statusCode ?? 0 }));
        });
        req.on('error', reject);
        req.end();
      });
    const fingerprintOf = (path: string) => new X509Certificate(readFileSync(path)).fingerprint256;
    try {
      expect(server.statusUrl).toMatch(/^https:\/\//);
      const first = fingerprintOf(certFile);
      expect(await presented(server.statusUrl!)).toEqual({ fingerprint: first, status: 404 });
      expect((await presented(server.url)).fingerprint).toBe(first);
      await expect(get(`${server.statusUrl!.replace('https:', 'http:')}/status/none`)).rejects.toThrow();
      // Renewed as cert-manager or certbot do: new files moved over the old ones.
      selfSigned('second', join(rotating, 'new.crt'), join(rotating, 'new.key'));
      renameSync(join(rotating, 'new.key'), keyFile);
      renameSync(join(rotating, 'new.crt'), certFile);
      const second = fingerprintOf(certFile);
      expect(second).not.toBe(first);
      await until(
        'the status listener presents the renewed certificate',
        async () => (await presented(server.statusUrl!)).fingerprint === second,
      );
      await until(
        'the main listener presents the renewed certificate',
        async () => (await presented(server.url)).fingerprint === second,
      );
      // A key that does not belong to the certificate is not taken: the renewed pair stays in use.
      openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', keyFile);
      expect((await presented(server.url)).fingerprint).toBe(second);
      expect((await presented(server.statusUrl!)).fingerprint).toBe(second);
    } finally {
      await server.close();
    }
  });

  it('asks for a user and password, accepts the bcrypt hashes htpasswd and Prometheus use, refuses the rest', async () => {
    const hash = bcrypt.hashSync('correct horse', 4);
    const server = await start(
      webConfig(
        'users.yml',
        `basic_auth_users:\n  alice: ${hash}\n  bob: ${hash.replace(/^\$2b\$/, '$2y$')}\n`,
      ),
    );
    try {
      const none = await get(`${server.url}/api/v1/labels`);
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Basic realm="vigil", charset="UTF-8"');
      expect(JSON.parse(none.body)).toMatchObject({ error: expect.stringContaining('user and password') });
      expect((await get(`${server.url}/api/v1/labels`, basic('alice', 'correct horse'))).status).toBe(200);
      // Again: the remembered success, the same answer.
      expect((await get(`${server.url}/api/v1/labels`, basic('alice', 'correct horse'))).status).toBe(200);
      expect((await get(`${server.url}/api/v1/labels`, basic('bob', 'correct horse'))).status).toBe(200);
      expect((await get(`${server.url}/api/v1/labels`, basic('alice', 'wrong horse'))).status).toBe(401);
      expect((await get(`${server.url}/api/v1/labels`, basic('mallory', 'correct horse'))).status).toBe(401);
      expect((await get(`${server.url}/api/v1/labels`, { authorization: 'Basic !!!' })).status).toBe(401);
      expect((await get(`${server.url}/-/healthy`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('takes the bearer token or a user when both are set', async () => {
    const token = 'a-token-of-enough-characters';
    const server = await start(
      webConfig('both.yml', `basic_auth_users:\n  alice: ${bcrypt.hashSync('pw', 4)}\n`),
      { VIGIL_TOKEN: token },
    );
    try {
      const none = await get(`${server.url}/api/v1/labels`);
      expect(none.headers['www-authenticate']).toBe(
        'Bearer realm="vigil", Basic realm="vigil", charset="UTF-8"',
      );
      expect((await get(`${server.url}/api/v1/labels`, { authorization: `Bearer ${token}` })).status).toBe(
        200,
      );
      expect((await get(`${server.url}/api/v1/labels`, basic('alice', 'pw'))).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('with RequireAndVerifyClientCert, answers only clients with a certificate of the configured authority', async () => {
    const server = await start(
      webConfig(
        'mtls.yml',
        [
          'tls_server_config:',
          `  cert_file: ${file('server.pem')}`,
          `  key_file: ${file('server.key')}`,
          '  client_auth_type: RequireAndVerifyClientCert',
          '  client_ca_file: ca.pem',
        ].join('\n'),
      ),
    );
    const ca = readFileSync(file('server.pem'));
    try {
      const ok = await get(
        `${server.url}/-/healthy`,
        {},
        {
          ca,
          cert: readFileSync(file('client.pem')),
          key: readFileSync(file('client.key')),
        },
      );
      expect(ok.status).toBe(200);
      await expect(get(`${server.url}/-/healthy`, {}, { ca })).rejects.toThrow();
      await expect(
        get(
          `${server.url}/-/healthy`,
          {},
          {
            ca,
            cert: readFileSync(file('other.pem')),
            key: readFileSync(file('other.key')),
          },
        ),
      ).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it('stops start-up with an error naming the file and the key for every bad file', () => {
    const load = (text: string) => () =>
      loadConfig(
        { listen: '127.0.0.1:0', data: dir, statsd: 'off', webConfigFile: webConfig('bad.yml', text) },
        {},
      );
    const bad = file('bad.yml');
    expect(() =>
      loadConfig({ listen: '127.0.0.1:0', data: dir, webConfigFile: file('missing.yml') }, {}),
    ).toThrow(`${file('missing.yml')}: cannot read the web configuration file`);
    expect(load('tls_server_config: [\n')).toThrow(new RegExp(`^${bad}:\\d+:\\d+: not valid YAML`));
    expect(load('tls_server_config:\n  cert_file: nowhere.pem\n  key_file: server.key\n')).toThrow(
      `${bad}: tls_server_config.cert_file: cannot read ${file('nowhere.pem')}`,
    );
    expect(load('tls_server_config:\n  cert_file: server.pem\n  key_file: other.key\n')).toThrow(
      `${bad}: tls_server_config.cert_file and key_file do not belong together`,
    );
    expect(load('tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n')).toThrow(
      `${bad}: tls_server_config.cert_file: not a PEM certificate`,
    );
    expect(load('tls_server_config:\n  key_file: server.key\n')).toThrow(
      `${bad}: tls_server_config.cert_file:`,
    );
    expect(
      load(
        'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n',
      ),
    ).toThrow(
      `${bad}: tls_server_config.client_ca_file: required when client_auth_type is RequireAndVerifyClientCert`,
    );
    expect(
      load(
        'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: Sometimes\n',
      ),
    ).toThrow(`${bad}: tls_server_config.client_auth_type: got "Sometimes"`);
    expect(
      load(
        'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n',
      ),
    ).toThrow(`${bad}: tls_server_config.cipher_suites: not supported by vigil`);
    expect(load('basic_auth_users:\n  alice: hunter2\n')).toThrow(
      `${bad}: basic_auth_users.alice: got "hunter2", expected a bcrypt hash`,
    );
    expect(load('basic_auth_user:\n  alice: x\n')).toThrow(
      `${bad}: (top level): unknown key "basic_auth_user"`,
    );
    try {
      load('basic_auth_users:\n  alice: hunter2\n')();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
    }
  });

  it('counts basic-auth users as authentication for a non-loopback address', () => {
    const users = webConfig('listen.yml', `basic_auth_users:\n  alice: ${bcrypt.hashSync('pw', 4)}\n`);
    expect(() => loadConfig({ listen: '0.0.0.0:0', data: dir, statsd: 'off' }, {})).toThrow(
      /neither auth.token .* nor basic_auth_users/,
    );
    expect(
      loadConfig({ listen: '0.0.0.0:0', data: dir, statsd: 'off', webConfigFile: users }, {}).web
        ?.basicAuthUsers.size,
    ).toBe(1);
  });
});
