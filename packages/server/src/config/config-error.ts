import { ServerError } from '../errors/server-error.js';

/** A configuration that cannot be used: the message names where the value came from and the key. */
export class ConfigError extends ServerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VIGIL_CONFIG', message, options);
    this.name = 'ConfigError';
  }
}
