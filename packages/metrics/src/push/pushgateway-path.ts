import { invalidOption } from '../base/errors.js';

/**
 * The path of a Pushgateway group: `/metrics/job/<job>{/<label>/<value>}`. A value holding `/`, or
 * an empty one, cannot be a path segment, so it is written base64url-encoded behind `@base64`, and
 * the empty string as `=` (Pushgateway README, "URL"; client_golang's push package does the same).
 * Anything else is percent-encoded, which the Pushgateway decodes.
 */
export function pushgatewayPath(job: string, groupings: Readonly<Record<string, string>> = {}): string {
  if (typeof job !== 'string' || job === '') throw invalidOption('job', job, 'a non-empty string');
  let path = `/metrics/${segment('job', job)}`;
  for (const [name, value] of Object.entries(groupings)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__') || name === 'job') {
      throw invalidOption(
        `groupings.${name}`,
        value,
        'a label name matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with __ and not "job" (the job has its own option)',
      );
    }
    if (typeof value !== 'string') throw invalidOption(`groupings.${name}`, value, 'a string');
    path += `/${segment(name, value)}`;
  }
  return path;
}

function segment(name: string, value: string): string {
  if (value === '') return `${name}@base64/=`;
  if (value.includes('/')) return `${name}@base64/${Buffer.from(value, 'utf8').toString('base64url')}`;
  return `${name}/${encodeURIComponent(value)}`;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
