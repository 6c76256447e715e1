import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../../src/cli/report-command.js';
import { heartbeatName } from '../../src/status/heartbeat-name.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const MIN = 60_000;
// Recent enough for the store's retention: the top of the hour, two hours ago.
const END = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const minute = (ms: number) => iso(ms).slice(0, 16).replace('T', ' ');
/** A push monitor's token: its credential, which a report never shows. */
const TOKEN = 'n1ghtly-backup-s3cr3t';
const STOPPED = 'h0urly-sync-s3cr3t';
let dir: string;

/**
 * Two hours of minute samples ending at END: in the first hour STT on openai serves 100 requests with
 * 5 errors, in the second 200 with 4; openai is up for the whole second hour and half of the first;
 * gpt-4o costs $1 then $3.
 */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-report-'));
  const store = await openSqliteStore({ dir });
  const ts: number[] = [];
  const ok: number[] = [];
  const err: number[] = [];
  const up: number[] = [];
  const cost: number[] = [];
  let [o, e, c] = [0, 0, 0];
  for (let m = -120; m <= 0; m++) {
    const current = m > -60;
    if (m > -120) {
      o += current ? (200 - 4) / 60 : (100 - 5) / 60;
      e += current ? 4 / 60 : 5 / 60;
      c += current ? 3 / 60 : 1 / 60;
    }
    ts.push(END + m * MIN);
    ok.push(o);
    err.push(e);
    cost.push(c);
    up.push(current || m % 2 === 0 ? 1 : 0);
  }
  const base = { operation: 'speech_to_text', provider: 'openai' };
  await store.append([
    {
      labels: { __name__: 'latency_operations_total', ...base, status: 'success' },
      timestamps: ts,
      values: ok,
    },
    {
      labels: { __name__: 'latency_operations_total', ...base, status: 'error' },
      timestamps: ts,
      values: err,
    },
    { labels: { __name__: 'vigil_provider_up', provider: 'openai' }, timestamps: ts, values: up },
    {
      labels: { __name__: 'vigil_llm_cost_usd_total', provider: 'openai', model: 'gpt-4o' },
      timestamps: ts,
      values: cost,
    },
    // A scrape target down for every fourth scrape of the second hour, and a push monitor whose
    // heartbeats say up, but one in ten of the first hour.
    {
      labels: { __name__: 'up', job: 'api', instance: 'api-1:9464' },
      timestamps: ts,
      values: ts.map((t, i) => (t > END - 3_600_000 && i % 4 === 0 ? 0 : 1)),
    },
    {
      labels: { __name__: 'vigil_push_up', monitor: TOKEN },
      timestamps: ts,
      values: ts.map((t, i) => (t <= END - 3_600_000 && i % 10 === 0 ? 0 : 1)),
    },
    // And one whose heartbeats stop half an hour before the end.
    {
      labels: { __name__: 'vigil_push_up', monitor: STOPPED },
      timestamps: ts.filter((t) => t <= END - 30 * MIN),
      values: ts.filter((t) => t <= END - 30 * MIN).map(() => 1),
    },
    // What the rules of SLO `stt` (99.9% over 30 days) recorded: its 30-day error ratio, 0.05% at
    // the end of the first hour and 0.02% at the end of the second.
    {
      labels: { __name__: 'slo:sli_error:ratio_rate30d', slo: 'stt', slo_window: '30d' },
      timestamps: ts,
      values: ts.map((t) => (t <= END - 3_600_000 ? 0.0005 : 0.0002)),
    },
  ]);
  await store.close();
  writeFileSync(
    join(dir, 'vigil.yaml'),
    [
      'slos:',
      '  - name: stt',
      '    objective: 99.9',
      '    window: 30d',
      '    sli:',
      '      ratio:',
      '        errors: sum(rate(latency_operations_total{status!="success"}[$window]))',
      '        total: sum(rate(latency_operations_total[$window]))',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function report(format: string, ...more: string[]): Promise<string> {
  let text = '';
  const errors: string[] = [];
  const code = await runReport(
    ['--period', '1h', '--format', format, '--data', dir, ...more],
    (t) => (text += t),
    (l) => errors.push(l),
  );
  expect(errors).toEqual([]);
  expect(code).toBe(0);
  return text;
}

describe('vigil report', () => {
  it('gives each figure of the last hour beside the hour before, in JSON', async () => {
    const r = JSON.parse(await report('json'));
    expect(r.start).toBe(iso(END - 3_600_000));
    expect(r.end).toBe(iso(END));
    const section = (id: string) => r.sections.find((s: { id: string }) => s.id === id);
    const traffic = section('traffic').rows[0];
    expect(traffic.labels).toEqual({ operation: 'speech_to_text', provider: 'openai' });
    expect(traffic.figures.requests.current).toBeCloseTo(200, 6);
    expect(traffic.figures.requests.previous).toBeCloseTo(100, 6);
    expect(traffic.figures.requests.change).toEqual({ value: expect.closeTo(100, 6), unit: '%' });
    expect(traffic.figures.errorRate.current).toBeCloseTo(0.02, 9);
    expect(traffic.figures.errorRate.previous).toBeCloseTo(0.05, 9);
    expect(traffic.figures.errorRate.change).toEqual({ value: expect.closeTo(-3, 6), unit: 'pts' });
    // The fleet's figures, by the definition /api/metrics and the overview use: the one operation here.
    const fleet = section('requests').rows[0];
    expect(fleet.labels).toEqual({});
    expect(fleet.figures.requests.current).toBeCloseTo(200, 6);
    expect(fleet.figures.errors.current).toBeCloseTo(4, 6);
    expect(fleet.figures.errorRate.current).toBeCloseTo(0.02, 9);
    expect(fleet.figures.errorRate.previous).toBeCloseTo(0.05, 9);
    const availability = section('availability').rows[0];
    expect(availability.figures.availability.current).toBe(1);
    expect(availability.figures.availability.previous).toBeCloseTo(0.5, 1);
    const llm = section('llm').rows[0];
    expect(llm.labels).toEqual({ provider: 'openai', model: 'gpt-4o' });
    expect(llm.figures.cost.current).toBeCloseTo(3, 6);
    expect(llm.figures.cost.change.value).toBeCloseTo(200, 6);
    expect(section('incidents').rows[0].figures.opened).toEqual({
      current: 0,
      previous: 0,
      change: { value: 0, unit: '%' },
    });
  });

  it('gives the availability of each scrape target and push monitor, the monitor by its shown name', async () => {
    const r = JSON.parse(await report('json'));
    const rows = (id: string) => r.sections.find((s: { id: string }) => s.id === id).rows;
    // Minutes -119 to 0: the second hour is minutes -59..0 (60 samples), 15 of them (i % 4 === 0) down.
    expect(rows('targets')).toEqual([
      {
        labels: { job: 'api', instance: 'api-1:9464' },
        figures: {
          availability: {
            current: 45 / 60,
            previous: 1,
            change: { value: expect.closeTo(-25, 9), unit: 'pts' },
          },
        },
      },
    ]);
    // As the status pages count a push monitor: its heartbeats in [start, end) (the first hour's
    // minutes -120..-61, 6 of 60 down, i % 10 === 0; the second's -60..-1, the first of them down),
    // and the time without one past twice its usual gap (a minute) as down, a run a minute: the
    // stopped one's last heartbeat is at -30, so -28..0 is 28 runs down beside 31 up.
    const shown = (token: string) => heartbeatName(token);
    expect(rows('monitors')).toEqual(
      [
        {
          labels: { monitor: shown(TOKEN) },
          figures: {
            availability: {
              current: 59 / 60,
              previous: 54 / 60,
              change: { value: expect.closeTo((100 * 5) / 60, 9), unit: 'pts' },
            },
          },
        },
        {
          labels: { monitor: shown(STOPPED) },
          figures: {
            availability: {
              current: expect.closeTo(31 / 59, 9),
              previous: 1,
              change: { value: expect.closeTo(100 * (31 / 59 - 1), 9), unit: 'pts' },
            },
          },
        },
      ].sort((a, b) => (a.labels.monitor < b.labels.monitor ? -1 : 1)),
    );
    for (const format of ['json', 'md', 'html'])
      for (const token of [TOKEN, STOPPED]) expect(await report(format)).not.toContain(token.slice(4));
  });

  it('says why a section is empty or left out', async () => {
    const r = JSON.parse(await report('json'));
    const section = (id: string) => r.sections.find((s: { id: string }) => s.id === id);
    expect(section('alerts')).toMatchObject({ rows: [], note: 'No alert fired in this period.' });
    expect(section('incidents').note).toBe('No incident was opened in this period.');
    expect(r.withoutData).toEqual(['Availability by dependency', 'Latency by operation and provider']);
    const md = await report('md');
    expect(md).toContain('## Top alerts by firing time\n\nNo alert fired in this period.\n');
    expect(md).toContain(
      'Left out, as the store holds no data for them in either period: Availability by dependency, Latency by operation and provider.',
    );
    // Without SLOs in the configuration there is no SLO section.
    expect(section('slos')).toBeUndefined();
    // Over two hours, the two before hold nothing: no change, and the reason.
    expect(section('traffic').note).toBeUndefined();
    const longer = JSON.parse(await report('json', '--period', '2h'));
    const traffic = longer.sections.find((s: { id: string }) => s.id === 'traffic');
    expect(traffic.rows[0].figures.requests).toMatchObject({ previous: null, change: null });
    expect(traffic.note).toBe('No change is shown: the store holds none of this from the period before.');
  });

  it("reports each SLO's SLI and error budget left beside the period before's", async () => {
    const r = JSON.parse(await report('json', '--config', join(dir, 'vigil.yaml')));
    const slos = r.sections.find((s: { id: string }) => s.id === 'slos');
    expect(slos.rows).toEqual([
      {
        labels: { slo: 'stt', objective: '99.9% over 30d' },
        figures: {
          sli: { current: 0.9998, previous: 0.9995, change: { value: expect.closeTo(0.03, 9), unit: 'pts' } },
          budgetLeft: {
            current: expect.closeTo(0.8, 9),
            previous: expect.closeTo(0.5, 9),
            change: { value: expect.closeTo(30, 9), unit: 'pts' },
          },
        },
      },
    ]);
    expect(await report('md', '--config', join(dir, 'vigil.yaml'))).toContain(
      '| stt | 99.9% over 30d | 99.980% (= 0.0 pts) | 80.00% (▲ 30 pts) |',
    );
  });

  it('renders the same figures as Markdown and HTML', async () => {
    const md = await report('md');
    expect(md).toContain(`# vigil report: ${minute(END - 3_600_000)} to ${minute(END)} UTC`);
    // In a zone when told one, as a scheduled report in its schedule's zone (Kolkata: UTC+5:30, no
    // daylight saving).
    const ahead = 5.5 * 3_600_000;
    const period = `${minute(END - 3_600_000 + ahead)} to ${minute(END + ahead)} UTC+5:30`;
    expect(await report('md', '--timezone', 'Asia/Kolkata')).toContain(`# vigil report: ${period}\n`);
    expect(await report('html', '--timezone', 'Asia/Kolkata')).toContain(`vigil report: ${period}</h1>`);
    expect(md).toContain('| speech_to_text | openai | 200 (▲ 100%) | 4 (▼ 20%) | 2.00% (▼ 3.0 pts) |');
    expect(md).toContain('| openai | gpt-4o | – | – | $3.00 (▲ 200%) |');
    const html = await report('html');
    expect(html).toContain('<td style="border-bottom:1px solid #eee">2.00% (▼ 3.0 pts)</td>');
    // With its sparklines, as a page a browser opens shows them: PNGs in data: URIs.
    expect(html).toContain('Requests over the period</th>');
    const [, png] = /<img src="data:image\/png;base64,([^"]+)" width="120" height="28"/.exec(html) ?? [];
    expect(Buffer.from(png!, 'base64').subarray(1, 4).toString('ascii')).toBe('PNG');
  });

  it('refuses a bad period, format or data directory with the reason', async () => {
    const run = async (args: string[]) => {
      const errors: string[] = [];
      const code = await runReport(
        args,
        () => {},
        (l) => errors.push(l),
      );
      return { code, error: errors.join('\n') };
    };
    expect(await run(['--period', 'soon', '--data', dir])).toEqual({
      code: 2,
      error:
        'vigil report: --period: got "soon", expected a duration of a minute or more such as 1h, 1d or 7d',
    });
    expect((await run(['--format', 'pdf', '--data', dir])).error).toContain('--format: got "pdf"');
    expect(await run(['--timezone', 'Paris', '--data', dir])).toEqual({
      code: 2,
      error: 'vigil report: --timezone: got "Paris", expected an IANA time zone such as UTC or Europe/Paris',
    });
    expect((await run(['--data', join(dir, 'nope')])).error).toContain('no store in');
  });
});
