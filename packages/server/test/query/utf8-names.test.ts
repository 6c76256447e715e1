import { describe, expect, it } from 'vitest';
import { formatPromql } from '../../src/query/format-promql.js';
import { parsePromql } from '../../src/query/parse.js';
import { engineOverStore } from './engine-over-store.js';

/**
 * Prometheus 3's UTF-8 metric and label names and its quoted syntax for them: a lone quoted string
 * in braces is the metric name (`{"http.server.duration"}`), a quoted string before a matcher
 * operator a label name (`{"http.route"="/a"}`), and quoted names in `by`, `without`, `on`,
 * `ignoring` and `group_*`. Expected values are worked out from the samples written here and
 * Prometheus's parser tests (promql/parser/parse_test.go), not read from vigil's answers.
 */
const T0 = Date.UTC(2026, 0, 10, 12);
const S = 1000;

const promql = engineOverStore({
  now: T0 + 3_600_000,
  fill: async (store) => {
    const at = [0, 30, 60].map((t) => T0 + t * S);
    const series = (labels: Record<string, string>, values: number[]) => ({ labels, timestamps: at, values });
    await store.append([
      series({ __name__: 'http.server.requests', 'http.route': '/a', 'service.name': 'api' }, [0, 30, 60]),
      series({ __name__: 'http.server.requests', 'http.route': '/b', 'service.name': 'api' }, [0, 60, 120]),
      series({ __name__: 'http.server.requests', 'http.route': '/b', 'service.name': 'web' }, [0, 3, 6]),
      series({ __name__: 'service.owner', 'service.name': 'api', 'team.name': 'core' }, [1, 1, 1]),
      series({ __name__: 'up', instance: 'web-1:8080' }, [1, 1, 1]),
    ]);
  },
});

const at = T0 + 60 * S;

/** Each series of an instant answer as its labels in JSON (sorted names), to its value. */
async function values(query: string): Promise<Record<string, number>> {
  const result = await promql.engine.instantQuery(query, at);
  if (result.resultType !== 'vector') throw new Error(`expected a vector, got ${result.resultType}`);
  return Object.fromEntries(
    result.result.map((s) => [
      JSON.stringify(Object.fromEntries(Object.entries(s.metric).sort(([a], [b]) => (a < b ? -1 : 1)))),
      s.value,
    ]),
  );
}

describe('UTF-8 names in the quoted syntax', () => {
  it('selects by a quoted metric name and quoted label names, in any quotes', async () => {
    expect(Object.keys(await values('{"http.server.requests"}'))).toHaveLength(3);
    expect(await values(`{'http.server.requests', "http.route"="/a"}`)).toEqual({
      '{"__name__":"http.server.requests","http.route":"/a","service.name":"api"}': 60,
    });
    // The name may stand anywhere among the matchers.
    expect(
      Object.keys(await values('{"service.name"="api", "http.server.requests", "http.route"=~"/b"}')),
    ).toEqual(['{"__name__":"http.server.requests","http.route":"/b","service.name":"api"}']);
    // Two names inside the braces are two matchers that must both hold: nothing here.
    expect(await values('{"http.server.requests", __name__="up"}')).toEqual({});
    // rate keeps the labels and drops the name: (60 - 0) / 60 s.
    expect(await values('rate({"http.server.requests", "http.route"="/a"}[1m])')).toEqual({
      '{"http.route":"/a","service.name":"api"}': 1,
    });
  });

  it('groups and matches by quoted label names', async () => {
    expect(await values('sum by ("http.route") ({"http.server.requests"})')).toEqual({
      '{"http.route":"/a"}': 60,
      '{"http.route":"/b"}': 126,
    });
    expect(await values('sum without ("http.route") ({"http.server.requests"})')).toEqual({
      '{"service.name":"api"}': 180,
      '{"service.name":"web"}': 6,
    });
    expect(
      await values(
        'sum by ("service.name") ({"http.server.requests"}) * on ("service.name") group_left ("team.name") {"service.owner"}',
      ),
    ).toEqual({ '{"service.name":"api","team.name":"core"}': 180 });
  });

  it('lets label_replace, label_join and count_values create such names', async () => {
    expect(await values('label_replace(up, "host.name", "$1", "instance", "(.*):.*")')).toEqual({
      '{"__name__":"up","host.name":"web-1","instance":"web-1:8080"}': 1,
    });
    expect(await values('label_join(up, "k.8s", "-", "instance", "instance")')).toEqual({
      '{"__name__":"up","instance":"web-1:8080","k.8s":"web-1:8080-web-1:8080"}': 1,
    });
    expect(await values('count_values("req.count", {"http.server.requests"})')).toEqual({
      '{"req.count":"120"}': 1,
      '{"req.count":"6"}': 1,
      '{"req.count":"60"}': 1,
    });
    await expect(
      promql.engine.instantQuery('label_replace(up, "", "x", "instance", ".*")', at),
    ).rejects.toMatchObject({
      message: 'invalid destination label name in label_replace(): ',
    });
  });

  it('refuses a name set both before and inside the braces, as Prometheus does', () => {
    expect(() => parsePromql('foo{"bar"}')).toThrow(
      'parse error at char 1: metric name must not be set twice: "foo" or "bar"',
    );
    expect(() => parsePromql('foo{__name__="bar"}')).toThrow(
      'parse error at char 1: metric name must not be set twice: "foo" or "bar"',
    );
    expect(() => parsePromql('{"a.b"=}')).toThrow(/unexpected "}" in label matching, expected string/);
  });

  it('is written back quoted by format_query where a name needs it', () => {
    expect(formatPromql(parsePromql('sum by ("http.route") ({"http.server.requests"})'))).toBe(
      'sum by ("http.route") ({"http.server.requests"})',
    );
    expect(formatPromql(parsePromql('{"a.b", "c.d"="x", e="y"}'))).toBe('{"a.b","c.d"="x",e="y"}');
    expect(formatPromql(parsePromql('{"plain_name"}'))).toBe('plain_name');
  });
});
