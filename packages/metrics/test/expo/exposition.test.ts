import { describe, expect, it } from 'vitest';
import { toCollectorDocument } from '../../src/expo/collector-json.js';
import {
  JSON_CONTENT_TYPE,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
} from '../../src/expo/content-types.js';
import { exposition } from '../../src/expo/exposition.js';
import { toOpenMetrics } from '../../src/expo/openmetrics.js';
import { toPrometheusText } from '../../src/expo/prometheus-text.js';
import { nastySnapshot } from './fixture.js';

describe('exposition', () => {
  const snapshot = nastySnapshot();

  it('serves the Prometheus text format by default', () => {
    expect(exposition(snapshot, undefined)).toEqual({
      contentType: PROMETHEUS_CONTENT_TYPE,
      body: toPrometheusText(snapshot),
    });
  });

  it('serves OpenMetrics to a scraper that prefers it', () => {
    expect(exposition(snapshot, 'application/openmetrics-text;version=1.0.0,*/*;q=0.1')).toEqual({
      contentType: OPENMETRICS_CONTENT_TYPE,
      body: toOpenMetrics(snapshot),
    });
  });

  it("serves the collector document as JSON, with the user's names", () => {
    const names = new Map([['packets_sent', 'packets.sent']]);
    const { contentType, body } = exposition(snapshot, 'application/json', { names });
    expect(contentType).toBe(JSON_CONTENT_TYPE);
    expect(JSON.parse(body)).toEqual(JSON.parse(JSON.stringify(toCollectorDocument(snapshot, names))));
    expect(body).toContain('"packets.sent[session=swift-neural-42]"');
  });
});
