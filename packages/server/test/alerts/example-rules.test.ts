import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleFile } from '../../src/alerts/rule-file.js';
import { parsePromql } from '../../src/query/parse.js';

const dir = join(import.meta.dirname, '../../../../examples/rules');

function load(name: string) {
  return parseRuleFile(readFileSync(join(dir, name), 'utf8'), name, (e) => {
    parsePromql(e);
  });
}

describe('the example rule files of the five seeds', () => {
  it('ships one file per seed, each loading cleanly', () => {
    expect(readdirSync(dir).sort()).toEqual([
      'analysis-backend.yml',
      'callbot.yml',
      'event-server.yml',
      'orchestrator.yml',
      'streaming-server.yml',
    ]);
  });

  it.each([
    [
      'streaming-server.yml',
      ['StreamHighLatency', 'StreamPacketLoss', 'StreamSessionMemory', 'StreamTimingError'],
    ],
    [
      'event-server.yml',
      ['EventProcessingLatencyHigh', 'UdpPacketLoss', 'UdpPacketLossRatio', 'EventProcessingErrors'],
    ],
    ['analysis-backend.yml', ['HighErrorRate', 'SlowAnalysis', 'LowCacheHitRate']],
    [
      'orchestrator.yml',
      ['ProviderDown', 'ProviderHighLatency', 'ProviderErrorRateSpike', 'CostAnomaly', 'SessionOverload'],
    ],
  ])('%s holds the seed’s alerts', (file, names) => {
    expect(load(file).flatMap((g) => g.rules.map((r) => r.name))).toEqual(names);
  });

  it('callbot.yml expands each operation’s default thresholds to a warning and a critical rule', () => {
    const rules = load('callbot.yml').flatMap((g) => g.rules);
    const summary = rules.map((r) => {
      if (r.kind !== 'alerting') throw new Error('expected alerting rules');
      return [r.name, r.labels.severity!.source, Number(/> ([\d.]+)$/.exec(r.expr)![1]) * 1000];
    });
    expect(summary).toEqual([
      ['SpeechToTextLatency', 'warning', 2000],
      ['SpeechToTextLatency', 'critical', 5000],
      ['TextToSpeechLatency', 'warning', 1500],
      ['TextToSpeechLatency', 'critical', 3000],
      ['SalesforceLatency', 'warning', 1000],
      ['SalesforceLatency', 'critical', 3000],
      ['RagLatency', 'warning', 3000],
      ['RagLatency', 'critical', 8000],
    ]);
  });

  it('keeps the analysis backend’s rules exactly as the seed writes them', () => {
    const [group] = load('analysis-backend.yml');
    expect(group!.name).toBe('emergence_memory_analysis');
    expect(group!.rules[0]).toMatchObject({
      expr: 'rate(memory_analysis_failure_total[5m]) > 0.1',
      forMs: 300_000,
    });
    expect(group!.rules[2]).toMatchObject({ forMs: 900_000 });
  });
});
