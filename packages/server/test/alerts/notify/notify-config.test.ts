import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseNotifyConfig } from '../../../src/alerts/notify/notify-config.js';

const load = (yaml: string) => parseNotifyConfig(parse(yaml), 'alertmanager.yml');

describe('notification configuration', () => {
  it("reads Alertmanager's format with its defaults and inheritance", () => {
    const c = load(`
global: {slack_api_url: 'https://hooks.slack.test/x', resolve_timeout: 1m}
route:
  receiver: team
  group_by: ['...']
  routes:
    - {matchers: ['severity=~"page|critical"', 'team!="web"'], receiver: pager, group_wait: 10s}
receivers:
  - {name: team, slack_configs: [{channel: '#ops'}]}
  - {name: pager, webhook_configs: [{url: 'http://127.0.0.1:9/x'}]}
`);
    expect(c.resolveTimeoutMs).toBe(60_000);
    expect(c.route).toMatchObject({
      groupBy: 'all',
      groupWaitMs: 30_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 14_400_000,
    });
    expect(c.route.routes[0]).toMatchObject({
      receiver: 'pager',
      groupBy: 'all',
      groupWaitMs: 10_000,
      groupIntervalMs: 300_000,
    });
    expect(c.route.routes[0]!.matchers.map((m) => `${m.name}${m.type}${m.value}`)).toEqual([
      'severity=~page|critical',
      'team!=web',
    ]);
    expect(c.receivers[0]!.integrations[0]).toMatchObject({
      kind: 'slack',
      apiUrl: 'https://hooks.slack.test/x',
      sendResolved: false,
    });
    expect(c.receivers[1]!.integrations[0]).toMatchObject({
      kind: 'webhook',
      sendResolved: true,
      maxAlerts: 0,
    });
  });

  it('names the key path, the value and what was expected', () => {
    expect(() => load('route: {receiver: nobody}\nreceivers: [{name: team}]')).toThrow(
      'alertmanager.yml: route.receiver: got "nobody", expected one of the receivers\' names',
    );
    expect(() => load('route: {receiver: r}\nreceivers: [{name: r, pagerduty_configs: [{}]}]')).toThrow(
      'alertmanager.yml: receivers[0]: unknown key "pagerduty_configs" (not supported by vigil)',
    );
    expect(() =>
      load('route: {receiver: r, routes: [{matchers: [\'a=~"("\']}]}\nreceivers: [{name: r}]'),
    ).toThrow(/route\.routes\[0\]\.matchers\[0\]: invalid regular expression "\(": missing closing \)/);
    expect(() =>
      load("route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'ftp://x'}]}]"),
    ).toThrow(
      /receivers\[0\]\.webhook_configs\[0\]\.url: got "ftp:\/\/x", expected an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => load('route: {receiver: r}\nreceivers: [{name: r, email_configs: [{to: a@b.c}]}]')).toThrow(
      /email_configs\[0\]\.smarthost: missing, and no global\.smtp_smarthost/,
    );
  });
});
