import { parseArgs } from 'node:util';
import { Registry, systemClock } from '@vigil/metrics';
import { NotificationPipeline } from '../alerts/notify/notification-pipeline.js';
import { loadNotifyConfig } from '../alerts/notify/notify-config.js';
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import { buildNotifiers } from './build-notifiers.js';

/**
 * `vigil notify test RECEIVER [--config FILE]`: sends one test alert through every integration of a
 * receiver of the configured notifications, with the same timeout and retries as the server, and
 * prints what happened to each. Exit code 0 when all delivered, 1 when one failed, 2 on bad usage.
 */
export async function notifyTest(
  args: readonly string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    err(`vigil notify test: ${(error as Error).message}`);
    return 2;
  }
  const receiver = parsed.positionals[0];
  if (!receiver || parsed.positionals.length > 1) {
    err('vigil notify test: expected one receiver name: vigil notify test RECEIVER [--config FILE]');
    return 2;
  }
  const clock = systemClock;
  let pipeline: NotificationPipeline;
  try {
    const config = loadConfig(parsed.values.config === undefined ? {} : { config: parsed.values.config });
    const { slackWebhookUrl, slackChannel } = config.notifications;
    const notifyConfig = loadNotifyConfig(config.notifications, {
      ...(slackWebhookUrl && { SLACK_WEBHOOK_URL: slackWebhookUrl }),
      ...(slackChannel && { SLACK_CHANNEL: slackChannel }),
    });
    pipeline = new NotificationPipeline({
      config: notifyConfig,
      notifiers: buildNotifiers(notifyConfig, clock, out),
      clock,
      registry: new Registry({ clock }),
      externalURL: `http://${config.listen.host}:${config.listen.port}`,
      delivery: { maxAttempts: 3, initialDelayMs: 500 },
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      err(`vigil notify test: configuration: ${error.message}`);
      return 2;
    }
    throw error;
  }
  try {
    if (!pipeline.receiverNames().includes(receiver)) {
      err(
        `vigil notify test: no receiver named "${receiver}" (configured: ${pipeline.receiverNames().join(', ')})`,
      );
      return 2;
    }
    const results = await pipeline.test(receiver);
    if (results.length === 0) {
      err(`vigil notify test: receiver "${receiver}" has no integrations`);
      return 1;
    }
    for (const r of results) {
      const attempts = `${r.attempts} attempt${r.attempts > 1 ? 's' : ''}`;
      if (r.ok) out(`ok      ${receiver}/${r.integration}: delivered (${attempts})`);
      else out(`FAILED  ${receiver}/${r.integration}: ${r.error ?? 'failed'} (${attempts})`);
    }
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await pipeline.close();
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    options: { config: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
}
