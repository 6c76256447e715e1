import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { Registry } from '../../src/core/registry.js';
import { toPrometheusText } from '../../src/expo/prometheus-text.js';
import { apiKeyEnvVar, apiKeyStatus } from '../../src/health/api-key-status.js';
import { toHealthDocument } from '../../src/health/health-document.js';
import { HealthMonitor } from '../../src/health/health-monitor.js';
import { httpCheck } from '../../src/health/http-check.js';
import { Redactor } from '../../src/health/redactor.js';

// Shaped like real keys, random bodies: a 4-character slice of one has no business in any output.
const OPENAI = 'sk-proj-Q7vZ2mXkW9cRt4LbN8yHdJ3sEf6Ga1UoP5iTqKw0';
const ANTHROPIC = 'sk-ant-api03-Vb7Ncx2Lq9ZmR4tWk8YhJ3pDs6Fg1Ua5Eo0Ti';
const GEMINI = 'AIzaSyD4kR9vLm2Xq7Wn3Bt8Hc1Jf6Gp5Zs0Ey';

function slices(secret: string, n = 4): string[] {
  return Array.from({ length: secret.length - n + 1 }, (_, i) => secret.slice(i, i + n));
}

describe('apiKeyStatus', () => {
  it('names the variable after the provider', () => {
    expect(apiKeyEnvVar('openai')).toBe('OPENAI_API_KEY');
    expect(apiKeyEnvVar('kimi_k2')).toBe('KIMI_K2_API_KEY');
    expect(apiKeyEnvVar('gcp.gemini')).toBe('GCP_GEMINI_API_KEY');
  });

  it('says whether a key is configured and plausible, and nothing more', () => {
    const env = {
      OPENAI_API_KEY: OPENAI,
      ANTHROPIC_API_KEY: 'sk-your-key-here',
      GEMINI_API_KEY: GEMINI,
      MISTRAL_API_KEY: '   ',
      ACME_API_KEY: 'k3y_Zx9Lm2Qw7Rt4Vb8N',
      ACME2_API_KEY: 'short',
    };
    expect(apiKeyStatus('openai', env)).toEqual({
      envVar: 'OPENAI_API_KEY',
      configured: true,
      validFormat: true,
    });
    expect(apiKeyStatus('anthropic', env)).toEqual({
      envVar: 'ANTHROPIC_API_KEY',
      configured: true,
      validFormat: false,
    });
    expect(apiKeyStatus('gemini', env).validFormat).toBe(true);
    expect(apiKeyStatus('mistral', env).configured).toBe(false);
    expect(apiKeyStatus('deepseek', env).configured).toBe(false);
    expect(apiKeyStatus('acme', env).validFormat).toBe(true);
    expect(apiKeyStatus('acme2', env).validFormat).toBe(false);
    // The OpenAI shape is not Anthropic's, and a caller's pattern wins.
    expect(apiKeyStatus('anthropic', { ANTHROPIC_API_KEY: OPENAI }).validFormat).toBe(false);
    expect(apiKeyStatus('acme', { K: 'abc-123' }, 'K', /^abc-\d+$/g).validFormat).toBe(true);
    expect(apiKeyStatus('acme', { K: 'abc-123' }, 'K', /^abc-\d+$/g).validFormat).toBe(true);
  });
});

describe('Redactor', () => {
  it('removes whole keys, masked echoes and fragments, and leaves other text alone', () => {
    const r = new Redactor([OPENAI, 'short', undefined]);
    expect(r.redact(`Incorrect API key provided: ${OPENAI}.`)).toBe(
      'Incorrect API key provided: [redacted].',
    );
    expect(r.redact('Incorrect API key provided: sk-proj-Q7vZ********************Kw0. See docs')).toBe(
      'Incorrect API key provided: [redacted]. See docs',
    );
    expect(r.redact(`url=https://x/v1?key=${OPENAI.slice(10, 20)}&q=1`)).not.toContain(OPENAI.slice(10, 14));
    expect(r.redact('connect ECONNREFUSED 127.0.0.1:443 short')).toBe(
      'connect ECONNREFUSED 127.0.0.1:443 short',
    );
  });

  it('treats the values of secret-named environment variables as secrets', () => {
    const r = Redactor.fromEnv({ SLACK_TOKEN: 'xoxb-1234567890-abcdef', HOME: '/home/someone/dir' });
    expect(r.redact('token xoxb-1234567890-abcdef rejected')).toBe('token [redacted] rejected');
    expect(r.redact('/home/someone/dir')).toBe('/home/someone/dir');
  });
});

describe('health output never holds a key', () => {
  it('in the status, report, /api/health document, history and metrics, even when a check echoes it', async () => {
    // A provider that rejects the key and echoes it back, in the body and in a header, like many do.
    const server = createServer((req, res) => {
      res.writeHead(401, { 'x-echo': String(req.headers.authorization) });
      res.end(`{"error":"Incorrect API key provided: ${String(req.headers.authorization).slice(7)}"}`);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`;
    const env = { OPENAI_API_KEY: OPENAI, ANTHROPIC_API_KEY: ANTHROPIC, GEMINI_API_KEY: GEMINI };
    const clock = new ManualClock(Date.UTC(2024, 0, 1));
    const registry = new Registry({ clock });
    const m = new HealthMonitor({ registry, clock, env });
    m.register({
      name: 'openai',
      kind: 'provider',
      check: httpCheck({ url, headers: { authorization: `Bearer ${OPENAI}` }, bodyMatch: OPENAI }),
    });
    m.register({
      name: 'anthropic',
      kind: 'provider',
      check: async (signal) => {
        const res = await fetch(url, { headers: { authorization: `Bearer ${ANTHROPIC}` }, signal });
        throw new Error(`HTTP ${res.status}: ${await res.text()} (echo ${res.headers.get('x-echo')})`);
      },
    });
    m.register({
      name: 'gemini',
      kind: 'provider',
      check: () => ({
        ok: false,
        error: `400 API key not valid: ${GEMINI}`,
        details: { key_hint: GEMINI.slice(-8) },
      }),
    });
    await m.runAll();
    server.close();

    const outputs = [
      JSON.stringify(m.statuses()),
      JSON.stringify(m.report()),
      JSON.stringify(toHealthDocument(m.statuses(), { now: clock.now(), startTime: clock.now() })),
      JSON.stringify(['openai', 'anthropic', 'gemini'].map((n) => m.history(n))),
      toPrometheusText(registry.snapshotSync()),
    ].join('\n');
    for (const key of [OPENAI, ANTHROPIC, GEMINI]) {
      for (const slice of slices(key)) expect(outputs).not.toContain(slice);
    }
    // The checks did fail, and say why in words.
    expect(m.status('openai')!.error).toBe('HTTP 401, expected 200-299');
    expect(m.status('anthropic')!.error).toMatch(/^HTTP 401: .*\[redacted\]/);
    expect(m.status('gemini')!.error).toBe('400 API key not valid: [redacted]');
    expect(m.status('openai')!.apiKey).toEqual({
      envVar: 'OPENAI_API_KEY',
      configured: true,
      validFormat: true,
    });
  });
});
