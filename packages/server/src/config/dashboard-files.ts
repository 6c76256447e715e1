import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DASHBOARD_SCHEMA, type DashboardDefinition } from './dashboard-definition.js';
import { zodIssueDetail } from './zod-issue-detail.js';

/** A dashboard file that could not be read or does not fit the format, and why. */
export interface DashboardFileError {
  readonly id: string;
  readonly file: string;
  readonly error: string;
}

export interface DashboardSet {
  readonly dashboards: readonly DashboardDefinition[];
  readonly errors: readonly DashboardFileError[];
}

const EXTENSIONS = new Set(['.json', '.yaml', '.yml']);
const ID = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Reads every dashboard file of `dirs`, in order: a later folder's file replaces an earlier one of
 * the same id (the file name without extension), so a user's `overview.json` replaces the built-in
 * overview. Files are read again on each call, so edits show on the next page load.
 */
export function loadDashboards(dirs: readonly string[]): DashboardSet {
  const byId = new Map<string, DashboardDefinition | DashboardFileError>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (error) {
      byId.set(dir, {
        id: basename(dir),
        file: dir,
        error: `${dir}: cannot read the folder: ${(error as Error).message}`,
      });
      continue;
    }
    for (const name of names) {
      const ext = extname(name);
      if (!EXTENSIONS.has(ext)) continue;
      const file = join(dir, name);
      byId.set(basename(name, ext), readDashboard(file));
    }
  }
  const dashboards: DashboardDefinition[] = [];
  const errors: DashboardFileError[] = [];
  for (const entry of byId.values()) {
    if ('error' in entry) errors.push(entry);
    else dashboards.push(entry);
  }
  dashboards.sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
  return { dashboards, errors };
}

/** One file, parsed and checked; the error names the file, the key and what was expected. */
export function readDashboard(file: string): DashboardDefinition | DashboardFileError {
  const ext = extname(file);
  const id = basename(file, ext);
  if (!ID.test(id)) {
    return {
      id,
      file,
      error: `${file}: the file name must be a dashboard id: lowercase letters, digits, - and _`,
    };
  }
  let value: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    value = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    return {
      id,
      file,
      error: `${file}: not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    };
  }
  const result = DASHBOARD_SCHEMA.safeParse(value);
  if (result.success) return { ...result.data, id };
  const issue = result.error.issues[0]!;
  const key =
    issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('') || '(top level)';
  const detail = zodIssueDetail(issue, value);
  return { id, file, error: `${file}: ${key.replace(/^\./, '')}: ${detail}` };
}
