import {
  resolveStatusPages,
  STATUS_PAGES_SCHEMA,
  type StatusPageConfig,
} from '../config/status-pages-config.js';

const P95_STT =
  '(histogram_quantile(0.95, sum(rate(latency_operation_duration_seconds{operation="speech_to_text"}[5m]))) or histogram_quantile(0.95, sum by (le) (rate(latency_operation_duration_seconds_bucket{operation="speech_to_text"}[5m]))))';

/**
 * The status page `vigil demo` shows at /status/demo when vigil.yaml has none: written as a user
 * would write it in vigil.yaml, one component of each kind but push.
 */
const DEMO_PAGE = [
  {
    slug: 'demo',
    title: 'Demo Services Status',
    description: 'The simulated services of vigil demo, as their users would see them.',
    groups: [
      {
        name: 'AI providers',
        components: [
          { name: 'OpenAI', health: 'openai' },
          { name: 'Anthropic', health: 'anthropic' },
          { name: 'Gemini', health: 'gemini' },
          { name: 'Mistral', health: 'mistral' },
        ],
      },
      {
        name: 'Platform',
        components: [
          { id: 'workload', name: 'Metrics endpoint', target: 'demo' },
          { id: 'voice', name: 'Voice (speech to text p95 under 2 s)', query: `${P95_STT} < bool 2` },
        ],
      },
    ],
  },
];

export function demoStatusPages(): StatusPageConfig[] {
  const resolved = resolveStatusPages(STATUS_PAGES_SCHEMA.parse(DEMO_PAGE));
  if ('error' in resolved) throw new Error(resolved.error);
  return resolved.pages;
}
