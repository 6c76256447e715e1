import { describe, expect, it } from 'vitest';
import { renderTop } from '../../src/top/render-top.js';
import type { TopState } from '../../src/top/top-state.js';

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');
/** A pattern of escape codes: sgr('31') matches the red colour code. */
const sgr = (code: string) => `${ESC}\\[${code}m`;
const plain = (lines: string[]) => lines.map((l) => l.replace(ANSI, ''));

function state(overrides: Partial<TopState> = {}): TopState {
  return {
    url: 'http://127.0.0.1:8000',
    at: Date.parse('2026-12-02T00:30:05Z'),
    status: 'degraded',
    uptimeSeconds: 3725,
    series: 1250,
    throughput: [
      { label: 'operations/s', value: 2.25 },
      { label: 'packets sent/s', value: 179 },
    ],
    loss: [
      { label: 'stream packets', value: 0.0004 },
      { label: 'UDP packets', value: 0.031 },
    ],
    latency: [
      { label: 'speech_to_text', p50: 0.45, p95: 2.4, p99: 6.1 },
      { label: 'crm_api', p50: 0.25, p95: 0.6, p99: 0.9 },
    ],
    sessions: Array.from({ length: 8 }, (_, i) => ({
      name: `swift-neural-${40 + i}`,
      packetsPerSecond: 40,
      loss: i === 0 ? 0.03 : 0,
      timingErrorP95: i === 1 ? 0.009 : 0.0004,
      memoryBytes: (i === 2 ? 60 : 10) * 1024 * 1024,
    })),
    health: [
      { label: 'anthropic', value: 1 },
      { label: 'openai', value: 0 },
    ],
    alerts: [
      {
        name: 'ProviderDown',
        severity: 'critical',
        state: 'firing',
        summary: 'Provider openai is down',
        activeAt: '2026-12-02T00:29:00Z',
      },
      { name: 'RagLatency', severity: 'warning', state: 'pending', summary: '', activeAt: '' },
    ],
    ...overrides,
  };
}

describe('vigil top error budgets', () => {
  it('shows the budget left per SLO, red once it is overspent, and nothing without SLOs', () => {
    const lines = plain(
      renderTop(
        state({
          slos: [
            { label: 'checkout', value: 0.875 },
            { label: 'search', value: -0.2 },
          ],
        }),
        { width: 120, height: 60, color: false },
      ),
    );
    expect(lines.some((l) => l.includes('Error budget left'))).toBe(true);
    expect(lines.find((l) => l.includes('checkout'))).toMatch(/checkout\s+87\.5/);
    const colored = renderTop(state({ slos: [{ label: 'search', value: -0.2 }] }), {
      width: 120,
      height: 60,
      color: true,
    });
    expect(colored.find((l) => l.includes('search'))).toMatch(new RegExp(sgr('31')));
    expect(plain(renderTop(state(), { width: 120, height: 60, color: false })).join('\n')).not.toContain(
      'Error budget',
    );
  });
});

describe('renderTop', () => {
  it('shows uptime, throughput, loss, latency percentiles, health, alerts and sessions', () => {
    const text = plain(renderTop(state(), { width: 120, height: 40, color: false })).join('\n');
    expect(text).toContain('http://127.0.0.1:8000  up 1h02m  degraded');
    expect(text).toContain('1250 series');
    expect(text).toMatch(/operations\/s\s+2\.25/);
    expect(text).toMatch(/UDP packets\s+3\.10%/);
    expect(text).toMatch(/speech_to_text\s+450\.0ms\s+2\.40s\s+6\.10s/);
    expect(text).toContain('Health (1 up, 1 down)');
    expect(text).toMatch(/openai\s+DOWN/);
    expect(text).toContain('Alerts (1 firing, 1 pending)');
    expect(text).toContain('FIRING  ProviderDown [critical]  Provider openai is down');
    expect(text).toContain('Sessions (8)');
    expect(text).toMatch(/swift-neural-42\s+40\.0\s+0\.00%\s+400µs\s+60\.0 MB/);
  });

  it('fills exactly the terminal: every line is as wide as it, and no more lines than it has', () => {
    for (const [width, height] of [
      [120, 40],
      [100, 30],
      [80, 24],
      [60, 20],
      [40, 10],
    ] as const) {
      const lines = plain(renderTop(state(), { width, height, color: false }));
      expect(lines.length).toBeLessThanOrEqual(height);
      for (const line of lines) expect([...line].length, `${width}x${height}: ${line}`).toBe(width);
    }
  });

  it('puts sections side by side from 100 columns, one under the other below', () => {
    const wide = plain(renderTop(state(), { width: 120, height: 40, color: false }));
    expect(wide.some((l) => /^Throughput\s+Health/.test(l))).toBe(true);
    const narrow = plain(renderTop(state(), { width: 80, height: 60, color: false }));
    expect(narrow.some((l) => l.startsWith('Health'))).toBe(true);
    expect(narrow.some((l) => /Throughput.*Health/.test(l))).toBe(false);
  });

  it('shows the sessions that fit and says how many it left out', () => {
    const lines = plain(renderTop(state(), { width: 120, height: 24, color: false }));
    expect(lines).toHaveLength(24);
    const more = lines.find((l) => /… \d+ more/.test(l));
    expect(more).toBeDefined();
    const shown = lines.filter((l) => /swift-neural-\d+/.test(l)).length;
    expect(shown + Number(/… (\d+) more/.exec(more!)![1])).toBe(8);
  });

  it('colours figures by their thresholds, and writes no escape code without colour', () => {
    const coloured = renderTop(state(), { width: 120, height: 40, color: true }).join('\n');
    expect(coloured).toMatch(new RegExp(`${sgr('31')}\\s*DOWN${sgr('0')}`));
    expect(coloured).toMatch(new RegExp(`${sgr('32')}\\s*up${sgr('0')}`));
    // STT p95 2.40 s is past its 2 s warning, p99 6.10 s past its 5 s critical.
    expect(coloured).toMatch(
      new RegExp(`${sgr('33')}\\s*2\\.40s${sgr('0')}${sgr('31')}\\s*6\\.10s${sgr('0')}`),
    );
    expect(coloured).toMatch(new RegExp(`${sgr('31')}\\s*3\\.10%`));
    expect(renderTop(state(), { width: 120, height: 40, color: false }).join('\n')).not.toContain(ESC);
  });

  it('says when the server cannot be read, and what it shows instead', () => {
    const text = plain(
      renderTop(state({ error: 'cannot read http://127.0.0.1:8000: fetch failed' }), {
        width: 100,
        height: 30,
        color: false,
      }),
    ).join('\n');
    expect(text).toContain('! cannot read http://127.0.0.1:8000: fetch failed (showing the last data read)');
  });

  it('shows empty sections as such for a server without the demo names', () => {
    const empty: TopState = {
      url: 'http://127.0.0.1:9',
      at: 0,
      throughput: [],
      latency: [],
      loss: [],
      sessions: [],
      health: [],
      alerts: [],
    };
    const text = plain(renderTop(empty, { width: 80, height: 40, color: false })).join('\n');
    expect(text).toContain('up –  status unknown');
    expect(text).toContain('no health checks');
    expect(text).toContain('no streaming sessions');
    expect(text).toMatch(/Alerts \(0 firing, 0 pending\) *\n\s+none/);
  });
});
