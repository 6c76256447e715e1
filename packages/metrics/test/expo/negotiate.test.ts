import { describe, expect, it } from 'vitest';
import {
  JSON_CONTENT_TYPE,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
} from '../../src/expo/content-types.js';
import { negotiate } from '../../src/expo/negotiate.js';

/** Captured from Prometheus 2.42's scraper (shared/peers README §4). */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** What Prometheus asks for with native histograms on: protobuf first. */
const NATIVE_ACCEPT =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.8,application/openmetrics-text;version=1.0.0;q=0.7,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('negotiate', () => {
  it.each([
    [PROMETHEUS_ACCEPT, 'openmetrics'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5', 'openmetrics'],
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['Application/JSON', 'json'],
    [undefined, 'prometheus'],
    ['', 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/plain', 'prometheus'],
    ['text/plain;version=0.0.4', 'prometheus'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'prometheus'],
    ['application/json;q=0.5,text/plain', 'prometheus'],
    ['text/plain;q=0.2,application/json;q=0.9', 'json'],
    ['application/openmetrics-text;q=0,*/*', 'prometheus'],
    ['application/openmetrics-text;version=2.0.0', 'prometheus'],
    ['application/*', 'openmetrics'],
    ['image/png', 'prometheus'],
    ['garbage,,;q=', 'prometheus'],
    [NATIVE_ACCEPT, 'protobuf'],
    [
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
      'protobuf',
    ],
    ['application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text', 'prometheus'],
    ['application/vnd.google.protobuf', 'prometheus'],
    ['application/*;q=0.9,text/plain;q=0.5', 'openmetrics'],
  ])('%j → %s', (accept, format) => {
    expect(negotiate(accept).format).toBe(format);
  });

  it('gives the content type that goes with each format', () => {
    expect(negotiate(undefined).contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(negotiate(PROMETHEUS_ACCEPT).contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(negotiate('application/json').contentType).toBe(JSON_CONTENT_TYPE);
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(OPENMETRICS_CONTENT_TYPE).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(JSON_CONTENT_TYPE).toBe('application/json; charset=utf-8');
  });
});
