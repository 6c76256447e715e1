import { VigilError } from '../base/errors.js';

/** Text in the Prometheus or OpenMetrics format was malformed at `line` (1-based) for `reason`. */
export class ExpositionParseError extends VigilError {
  readonly line: number;
  readonly reason: string;

  constructor(line: number, reason: string) {
    super('VIGIL_PARSE', `line ${line}: ${reason}`);
    this.name = 'ExpositionParseError';
    this.line = line;
    this.reason = reason;
  }
}
