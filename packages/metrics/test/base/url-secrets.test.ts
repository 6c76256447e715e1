import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/base/clock.js';
import { redactUrl, redactUrls, urlCredentials } from '../../src/base/url-secrets.js';
import { HttpTransport } from '../../src/push/http-transport.js';

describe('redactUrl', () => {
  it('replaces a password with xxxxx as Go writes it, keeps the user, host and ordinary parameters', () => {
    expect(redactUrl('https://alice:s3cret@hooks.example.com/notify?team=ops')).toBe(
      'https://alice:xxxxx@hooks.example.com/notify?team=ops',
    );
  });
  it('replaces the values of credential-named query parameters', () => {
    expect(redactUrl('https://h.example/hook?token=abc123&channel=ops&api_key=k&X-Signature=s&sig=1')).toBe(
      'https://h.example/hook?token=xxxxx&channel=ops&api_key=xxxxx&X-Signature=xxxxx&sig=xxxxx',
    );
  });
  it('replaces credential-shaped path segments: a Slack webhook, a healthchecks.io ping UUID', () => {
    expect(redactUrl('https://hooks.slack.com/services/T0000/B0000/abcdEFGH1234ijklMNOP5678')).toBe(
      'https://hooks.slack.com/services/T0000/B0000/xxxxx',
    );
    expect(redactUrl('https://hc-ping.com/5f3a9c1e-2b7d-4e8f-9a6b-1c2d3e4f5a6b')).toBe(
      'https://hc-ping.com/xxxxx',
    );
    expect(redactUrl('http://127.0.0.1:9093/api/v2/alerts')).toBe('http://127.0.0.1:9093/api/v2/alerts');
  });
  it('leaves text that is not a URL alone', () => {
    expect(redactUrl('not a url')).toBe('not a url');
  });
});

describe('redactUrls', () => {
  it('redacts every URL inside a message, keeping the sentence around it', () => {
    expect(
      redactUrls(
        'POST webhook http://bob:pw@127.0.0.1:9/x?token=t0k3n → 500 bad request to http://127.0.0.1:9/x?token=t0k3n.',
      ),
    ).toBe(
      'POST webhook http://bob:xxxxx@127.0.0.1:9/x?token=xxxxx → 500 bad request to http://127.0.0.1:9/x?token=xxxxx.',
    );
  });
});

describe('urlCredentials', () => {
  it('turns user information into basic authentication and the URL without it', () => {
    expect(urlCredentials('http://al%40ice:p%3Ass@127.0.0.1:1/x')).toEqual({
      url: 'http://127.0.0.1:1/x',
      authorization: `Basic ${Buffer.from('al@ice:p:ss').toString('base64')}`,
    });
    expect(urlCredentials('http://127.0.0.1:1/x')).toEqual({ url: 'http://127.0.0.1:1/x' });
  });

  it('HttpTransport sends them as basic authentication (fetch refuses such a URL) and never quotes them', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      // An echo of the full URL in the error body, as some receivers answer.
      res
        .writeHead(req.headers.authorization ? 500 : 401)
        .end(`failed http://alice:s3cret@x.example${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const result = await new HttpTransport(systemClock).send(
        {
          method: 'POST',
          url: `http://alice:s3cret@127.0.0.1:${port}/hook?token=t0k3n`,
          headers: {},
          body: '{}',
          description: `POST ${redactUrl(`http://alice:s3cret@127.0.0.1:${port}/hook?token=t0k3n`)}`,
        },
        new AbortController().signal,
      );
      expect(seen).toEqual([`Basic ${Buffer.from('alice:s3cret').toString('base64')}`]);
      expect(result.code).toBe('retryable');
      const message = (result as { message: string }).message;
      expect(message).toContain('→ 500');
      expect(message).not.toMatch(/s3cret|t0k3n/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
