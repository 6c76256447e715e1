import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/base/errors.js';
import {
  checkThreshold,
  DEFAULT_THRESHOLDS,
  latencyConfigFromEnv,
} from '../../src/latency/latency-config.js';

describe('latencyConfigFromEnv', () => {
  it("gives the callbot seed's defaults for an empty environment", () => {
    const config = latencyConfigFromEnv({});
    expect(config).toEqual({ enabled: true, thresholds: DEFAULT_THRESHOLDS, logThresholds: false });
    expect(config.thresholds.speech_to_text).toEqual({ warningMs: 2000, criticalMs: 5000 });
    expect(config.thresholds.text_to_speech).toEqual({ warningMs: 1500, criticalMs: 3000 });
    expect(config.thresholds.crm_api).toEqual({ warningMs: 1000, criticalMs: 3000 });
    expect(config.thresholds.rag_inference).toEqual({ warningMs: 3000, criticalMs: 8000 });
  });

  it("reads the seed's .env example as written", () => {
    const config = latencyConfigFromEnv({
      LATENCY_TRACKING_ENABLED: 'true',
      LATENCY_LOGGING_ENABLED: 'true',
      LATENCY_FILE_LOGGING_ENABLED: 'true',
      LATENCY_METRICS_FILE_PATH: 'outputs/logs/latency_metrics.jsonl',
      LATENCY_STT_WARNING_MS: '2500',
      LATENCY_STT_CRITICAL_MS: '6000',
      LATENCY_TTS_WARNING_MS: '1000',
      LATENCY_TTS_CRITICAL_MS: '2000',
      LATENCY_SALESFORCE_WARNING_MS: '800',
      LATENCY_SALESFORCE_CRITICAL_MS: '2500',
      LATENCY_RAG_WARNING_MS: '3500',
      LATENCY_RAG_CRITICAL_MS: '9000.5',
    });
    expect(config).toEqual({
      enabled: true,
      logThresholds: true,
      file: { path: 'outputs/logs/latency_metrics.jsonl' },
      thresholds: {
        speech_to_text: { warningMs: 2500, criticalMs: 6000 },
        text_to_speech: { warningMs: 1000, criticalMs: 2000 },
        crm_api: { warningMs: 800, criticalMs: 2500 },
        rag_inference: { warningMs: 3500, criticalMs: 9000.5 },
      },
    });
  });

  it('accepts LATENCY_CRM_* for the CRM, and the same value under both names', () => {
    expect(latencyConfigFromEnv({ LATENCY_CRM_WARNING_MS: '700' }).thresholds.crm_api).toEqual({
      warningMs: 700,
      criticalMs: 3000,
    });
    const both = { LATENCY_CRM_CRITICAL_MS: '4000', LATENCY_SALESFORCE_CRITICAL_MS: '4000' };
    expect(latencyConfigFromEnv(both).thresholds.crm_api?.criticalMs).toBe(4000);
  });

  it('turns tracking and file logging on and off, with the default file path', () => {
    expect(latencyConfigFromEnv({ LATENCY_TRACKING_ENABLED: 'FALSE' }).enabled).toBe(false);
    expect(latencyConfigFromEnv({ LATENCY_TRACKING_ENABLED: '0' }).enabled).toBe(false);
    expect(latencyConfigFromEnv({ LATENCY_FILE_LOGGING_ENABLED: 'yes' }).file).toEqual({
      path: 'outputs/logs/latency_metrics.jsonl',
    });
    expect(latencyConfigFromEnv({ LATENCY_FILE_LOGGING_ENABLED: 'off' }).file).toBeUndefined();
    expect(latencyConfigFromEnv({ LATENCY_STT_WARNING_MS: '  ' }).thresholds.speech_to_text?.warningMs).toBe(
      2000,
    );
  });

  it.each([
    [
      'LATENCY_STT_WARNING_MS',
      'abc',
      'LATENCY_STT_WARNING_MS: got "abc", expected a number of milliseconds > 0',
    ],
    [
      'LATENCY_TTS_CRITICAL_MS',
      '-5',
      'LATENCY_TTS_CRITICAL_MS: got "-5", expected a number of milliseconds > 0',
    ],
    ['LATENCY_RAG_WARNING_MS', '0', 'LATENCY_RAG_WARNING_MS: got "0", expected a number of milliseconds > 0'],
    [
      'LATENCY_RAG_WARNING_MS',
      '3s',
      'LATENCY_RAG_WARNING_MS: got "3s", expected a number of milliseconds > 0',
    ],
    [
      'LATENCY_TRACKING_ENABLED',
      'maybe',
      'LATENCY_TRACKING_ENABLED: got "maybe", expected true or false (also 1/0, yes/no, on/off)',
    ],
    [
      'LATENCY_STT_WARNING_MS',
      '6000',
      'LATENCY_STT_WARNING_MS: got "6000", expected at most the default critical threshold (5000)',
    ],
    [
      'LATENCY_TTS_CRITICAL_MS',
      '1000',
      'LATENCY_TTS_CRITICAL_MS: got "1000", expected at least the default warning threshold (1500)',
    ],
  ])('rejects %s=%s naming the variable, the value and what was expected', (name, value, message) => {
    expect(() => latencyConfigFromEnv({ [name]: value })).toThrow(message);
    try {
      latencyConfigFromEnv({ [name]: value });
    } catch (error) {
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('VIGIL_INVALID_OPTION');
    }
  });

  it('names both variables when warning and critical are set the wrong way round', () => {
    expect(() =>
      latencyConfigFromEnv({ LATENCY_STT_WARNING_MS: '3000', LATENCY_STT_CRITICAL_MS: '2000' }),
    ).toThrow('LATENCY_STT_WARNING_MS: got "3000", expected at most LATENCY_STT_CRITICAL_MS (2000)');
  });

  it('refuses SALESFORCE and CRM variables that disagree', () => {
    expect(() =>
      latencyConfigFromEnv({ LATENCY_SALESFORCE_WARNING_MS: '800', LATENCY_CRM_WARNING_MS: '900' }),
    ).toThrow('LATENCY_CRM_WARNING_MS: got "900", expected the same value as LATENCY_SALESFORCE_WARNING_MS');
  });

  it('reads process.env by default', () => {
    const before = process.env.LATENCY_RAG_CRITICAL_MS;
    process.env.LATENCY_RAG_CRITICAL_MS = '12000';
    try {
      expect(latencyConfigFromEnv().thresholds.rag_inference?.criticalMs).toBe(12000);
    } finally {
      if (before === undefined) delete process.env.LATENCY_RAG_CRITICAL_MS;
      else process.env.LATENCY_RAG_CRITICAL_MS = before;
    }
  });
});

describe('checkThreshold', () => {
  it('accepts a threshold and rejects bad ones by name', () => {
    expect(checkThreshold('t', { warningMs: 1, criticalMs: 2 })).toEqual({ warningMs: 1, criticalMs: 2 });
    expect(() => checkThreshold('thresholds.x', { warningMs: 1 })).toThrow(
      'thresholds.x: got an object, expected { warningMs, criticalMs } with finite milliseconds > 0',
    );
    expect(() => checkThreshold('thresholds.x', { warningMs: 5, criticalMs: 2 })).toThrow(
      'thresholds.x.warningMs: got 5, expected at most criticalMs = 2',
    );
  });
});
