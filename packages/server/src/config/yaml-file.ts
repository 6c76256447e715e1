import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from './config-error.js';

/** A YAML file's document (`{}` when empty); `what` names the file in the error (`configuration file`). */
export function readYamlFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the ${what} (${(error as Error).message})`);
  }
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const at = error.linePos?.[0];
      throw new ConfigError(
        `${file}${at ? `:${at.line}:${at.col}` : ''}: not valid YAML: ${error.message.split('\n')[0]}`,
      );
    }
    throw error;
  }
}
