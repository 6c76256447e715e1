import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/base/errors.js';
import { pushgatewayPath } from '../../src/push/pushgateway-path.js';

describe('pushgatewayPath', () => {
  it('writes the job and the grouping labels in order', () => {
    expect(pushgatewayPath('batch', { instance: 'web-1', zone: 'eu' })).toBe(
      '/metrics/job/batch/instance/web-1/zone/eu',
    );
  });

  it('base64url-encodes a value holding a slash, as the Pushgateway README does', () => {
    expect(pushgatewayPath('directory_cleaner', { path: '/var/tmp' })).toBe(
      '/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA',
    );
    expect(pushgatewayPath('a/b')).toBe('/metrics/job@base64/YS9i');
  });

  it('writes an empty value as @base64/=', () => {
    expect(pushgatewayPath('j', { instance: '' })).toBe('/metrics/job/j/instance@base64/=');
  });

  it('percent-encodes anything else', () => {
    expect(pushgatewayPath('my job', { note: 'café ✓?#%' })).toBe(
      '/metrics/job/my%20job/note/caf%C3%A9%20%E2%9C%93%3F%23%25',
    );
  });

  it.each([
    [{ job: 'x' }, 'groupings.job'],
    [{ 'bad-name': 'x' }, 'groupings.bad-name'],
    [{ __reserved: 'x' }, 'groupings.__reserved'],
    [{ ok: 5 as unknown as string }, 'groupings.ok'],
  ])('refuses the grouping %j', (groupings, option) => {
    expect(() => pushgatewayPath('j', groupings)).toThrow(VigilError);
    expect(() => pushgatewayPath('j', groupings)).toThrow(`${option}: got`);
  });

  it('refuses an empty job', () => {
    expect(() => pushgatewayPath('')).toThrow('job: got "", expected a non-empty string');
  });
});
