import { describe, expect, it } from 'vitest';
import { DisposerStack } from '../../src/cli/disposer-stack.js';

describe('DisposerStack', () => {
  it('releases newest first, goes on past a disposer that throws, and names it', async () => {
    const stack = new DisposerStack();
    const released: string[] = [];
    const db = stack.use('db', { name: 'db' }, (v) => {
      released.push(v.name);
    });
    stack.defer('socket', () => {
      throw new Error('EBADF');
    });
    stack.defer('timer', async () => {
      released.push('timer');
    });
    expect(db.name).toBe('db');
    const errors = await stack.dispose();
    expect(released).toEqual(['timer', 'db']);
    expect(errors.map((e) => e.message)).toEqual(['closing socket: EBADF']);
    expect(await stack.dispose()).toBe(errors);
    expect(released).toEqual(['timer', 'db']);
  });
});
