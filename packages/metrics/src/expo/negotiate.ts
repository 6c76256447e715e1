import {
  JSON_CONTENT_TYPE,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  PROTOBUF_CONTENT_TYPE,
} from './content-types.js';

export type ExpositionFormat = 'prometheus' | 'openmetrics' | 'json' | 'protobuf';

export interface Negotiated {
  readonly format: ExpositionFormat;
  readonly contentType: string;
}

interface Offer {
  readonly format: ExpositionFormat;
  readonly type: string;
  readonly subtype: string;
  readonly contentType: string;
}

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly version: string | undefined;
  /** The `proto` and `encoding` parameters, which name the protobuf exposition. */
  readonly proto: string | undefined;
  readonly encoding: string | undefined;
  readonly q: number;
}

const PROMETHEUS: Offer = {
  format: 'prometheus',
  type: 'text',
  subtype: 'plain',
  contentType: PROMETHEUS_CONTENT_TYPE,
};

/** In order of preference when q-values tie: with `*\/*` alone, or no header, Prometheus text wins. */
const OFFERS: readonly Offer[] = [
  PROMETHEUS,
  {
    format: 'openmetrics',
    type: 'application',
    subtype: 'openmetrics-text',
    contentType: OPENMETRICS_CONTENT_TYPE,
  },
  { format: 'json', type: 'application', subtype: 'json', contentType: JSON_CONTENT_TYPE },
  {
    format: 'protobuf',
    type: 'application',
    subtype: 'vnd.google.protobuf',
    contentType: PROTOBUF_CONTENT_TYPE,
  },
];

/**
 * Picks the exposition format from an Accept header, by q-value as HTTP content negotiation does:
 * each format takes the q of the most specific range that matches it (`type/subtype` over `type/*`
 * over `*\/*`), and the highest q wins. Prometheus asks with
 * `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1` and
 * gets OpenMetrics; `application/json` gets JSON; no header, `*\/*` or a header nothing here matches
 * gets the Prometheus text format, since every scraper reads it.
 *
 * An OpenMetrics range counts only for versions this library writes: none given, 1.0.0, or 0.0.1
 * (the pre-1.0 name of the same format, which Prometheus also offers). The protobuf exposition counts
 * only when named in full, `application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;
 * encoding=delimited`, as Prometheus asks for it with native histograms on: never through a wildcard.
 */
export function negotiate(accept: string | undefined): Negotiated {
  const ranges = parseAccept(accept ?? '*/*');
  let best = PROMETHEUS;
  let bestQuality = 0;
  for (const offer of OFFERS) {
    const quality = qualityOf(offer, ranges);
    if (quality > bestQuality) {
      best = offer;
      bestQuality = quality;
    }
  }
  return { format: best.format, contentType: best.contentType };
}

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const range of accept.split(',')) {
    const [mediaType = '', ...params] = range.split(';');
    const [type = '', subtype] = mediaType.trim().toLowerCase().split('/');
    if (subtype === undefined) continue;
    let q = 1;
    let version: string | undefined;
    let proto: string | undefined;
    let encoding: string | undefined;
    for (const param of params) {
      const eq = param.indexOf('=');
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = param.slice(eq + 1).trim();
      if (key === 'q') q = parseQuality(value);
      else if (key === 'version') version = value;
      else if (key === 'proto') proto = value;
      else if (key === 'encoding') encoding = value.toLowerCase();
    }
    ranges.push({ type, subtype, version, proto, encoding, q });
  }
  return ranges;
}

/** The q of the most specific range that matches `offer`, or 0 when none does. */
function qualityOf(offer: Offer, ranges: readonly MediaRange[]): number {
  let specificity = -1;
  let quality = 0;
  for (const range of ranges) {
    const level = matchLevel(offer, range);
    if (level > specificity) {
      specificity = level;
      quality = range.q;
    }
  }
  return quality;
}

/** -1: no match; 0: `*\/*`; 1: `type/*`; 2: exact. */
function matchLevel(offer: Offer, range: MediaRange): number {
  if (offer.format === 'protobuf') {
    const exact =
      range.type === offer.type &&
      range.subtype === offer.subtype &&
      range.proto === 'io.prometheus.client.MetricFamily' &&
      range.encoding === 'delimited';
    return exact ? 2 : -1;
  }
  if (range.type === '*' && range.subtype === '*') return 0;
  if (range.type !== offer.type) return -1;
  if (range.subtype === '*') return 1;
  if (range.subtype !== offer.subtype) return -1;
  const { version } = range;
  if (offer.format === 'openmetrics' && version !== undefined && version !== '1.0.0' && version !== '0.0.1') {
    return -1;
  }
  return 2;
}

/** RFC 9110 qvalue; anything unreadable counts as 1, as if the parameter were absent. */
function parseQuality(text: string): number {
  const q = Number(text);
  return text === '' || Number.isNaN(q) || q < 0 || q > 1 ? 1 : q;
}
