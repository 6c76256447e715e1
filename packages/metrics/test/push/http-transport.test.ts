import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { SUCCESS } from '../../src/push/export-result.js';
import { type HttpRequest, HttpTransport } from '../../src/push/http-transport.js';
import { httpPeer, type Reply } from './peers.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function sendTo(reply: Reply, nowMs = 0) {
  const peer = await httpPeer([reply]);
  close = peer.close;
  const request: HttpRequest = {
    method: 'POST',
    url: `${peer.url}/write?db=x`,
    headers: { 'content-type': 'text/plain' },
    body: 'm value=1\n',
    description: 'POST peer/write',
  };
  const result = await new HttpTransport(new ManualClock(nowMs)).send(request, new AbortController().signal);
  return { result, peer };
}

describe('HttpTransport', () => {
  it('sends method, headers and body, and maps 2xx to success', async () => {
    const { result, peer } = await sendTo(204);
    expect(result).toEqual(SUCCESS);
    expect(peer.requests).toMatchObject([
      { method: 'POST', url: '/write?db=x', body: 'm value=1\n', headers: { 'content-type': 'text/plain' } },
    ]);
  });

  it('makes a 400 final, with the start of the body in the message', async () => {
    const { result } = await sendTo({ status: 400, body: '{"error":"unable to parse \'m value=\'"}' });
    expect(result).toEqual({
      code: 'failure',
      reason: 'http_4xx',
      message: `POST peer/write → 400 {"error":"unable to parse 'm value='"}`,
    });
  });

  it.each([
    [408, 'http_4xx'],
    [429, 'http_4xx'],
    [500, 'http_5xx'],
    [503, 'http_5xx'],
  ])('lets %i be retried', async (status, reason) => {
    const { result } = await sendTo(status);
    expect(result).toMatchObject({ code: 'retryable', reason });
  });

  it.each([501, 505, 404, 413])('makes %i final', async (status) => {
    const { result } = await sendTo(status);
    expect(result.code).toBe('failure');
  });

  it('reads Retry-After as seconds or as an HTTP date', async () => {
    const seconds = await sendTo({ status: 429, headers: { 'retry-after': '7' } });
    expect(seconds.result).toMatchObject({ code: 'retryable', retryAfterMs: 7_000 });
    await close?.();
    const now = Date.parse('2026-11-23T10:00:00Z');
    const date = await sendTo(
      { status: 503, headers: { 'retry-after': 'Mon, 23 Nov 2026 10:00:30 GMT' } },
      now,
    );
    expect(date.result).toMatchObject({ code: 'retryable', retryAfterMs: 30_000 });
  });

  it('reports a refused connection as a retryable network failure naming the socket error', async () => {
    const peer = await httpPeer();
    await peer.close();
    const result = await new HttpTransport(new ManualClock(0)).send(
      { method: 'PUT', url: `${peer.url}/metrics/job/x`, headers: {}, description: 'PUT peer' },
      new AbortController().signal,
    );
    expect(result).toMatchObject({ code: 'retryable', reason: 'network' });
    expect(result.code !== 'success' && result.message).toContain('ECONNREFUSED');
  });

  it('reports an aborted request as a timeout', async () => {
    const peer = await httpPeer(['hang']);
    close = peer.close;
    const controller = new AbortController();
    const pending = new HttpTransport(new ManualClock(0)).send(
      { method: 'PUT', url: `${peer.url}/metrics/job/x`, headers: {}, description: 'PUT peer' },
      controller.signal,
    );
    while (peer.requests.length === 0) await new Promise((r) => setTimeout(r, 1));
    controller.abort(new DOMException('no answer within 10 ms', 'TimeoutError'));
    expect(await pending).toEqual({
      code: 'retryable',
      reason: 'timeout',
      message: 'PUT peer: no answer within 10 ms',
    });
  });
});
