import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, serve } from '@vigil/server';
import ts from 'typescript';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readDashboard } from '../packages/server/src/config/dashboard-files.js';
import { freePort } from './support/free-port.js';
import { until } from './support/until.js';

/**
 * The code of the README, docs/library.md and docs/otlp.md runs as written: its blocks are cut out
 * of the Markdown, joined in order, given only what the prose leaves to the reader (a provider to
 * call, a request, a meter provider), and run by Node against the built packages; the README's
 * `vigil serve --scrape` command then runs against that app, from `node_modules/.bin` as `npx` finds
 * it. Every YAML example of docs/ goes through what reads it (vigil serve, vigil check rules, the
 * dashboard reader). A renamed export, option, flag or key breaks this test, not a newcomer's first
 * five minutes.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside node_modules so that `@vigil/metrics` resolves as it would in the reader's app.
const work = join(root, 'node_modules', '.cache', 'vigil-docs-examples');

function codeBlocks(file: string, languages = 'js|ts'): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(new RegExp(`^\`\`\`(?:${languages})\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map(
    (m) => m[1]!,
  );
}

/** The README's shell line that starts `npx vigil serve`, its comment cut: the words after `npx vigil`. */
function readmeServeCommand(): string[] {
  const line = codeBlocks('README.md', 'sh')
    .flatMap((block) => block.split('\n'))
    .find((l) => l.startsWith('npx vigil serve --scrape'));
  if (line === undefined) throw new Error('README.md has no `npx vigil serve --scrape` line');
  return line.split('#')[0]!.trim().split(/\s+/).slice(2);
}

/** Runs `code` (TypeScript: the docs use types and decorators) as an ES module; resolves with the child. */
async function run(name: string, code: string): Promise<{ child: ChildProcess; output: () => string }> {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  mkdirSync(work, { recursive: true });
  const file = join(work, `${name}.mjs`);
  writeFileSync(file, js);
  const child = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  return { child, output: () => out };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('the documentation’s code runs as written', () => {
  it("README: the app's /metrics, with a counter and a histogram timing a call", async () => {
    const blocks = codeBlocks('README.md');
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const port = await freePort();
    const program = [
      "const callTheProvider = async () => 'an answer';",
      blocks.join('\n').replace('.listen(9464)', `.listen(${port})`),
    ].join('\n');
    expect(program).toContain(`.listen(${port})`);
    const { output } = await run('readme', program);
    const metrics = await until(
      'the example’s /metrics',
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return text.includes('llm_request_duration_seconds_count') && text;
      },
      { context: output },
    );
    expect(metrics).toMatch(/^app_started_total 1$/m);
    expect(metrics).toMatch(/^llm_request_duration_seconds_count\{provider="openai",status="success"\} 1$/m);

    // Then the README's command, pointed at that app; a free port and a temporary store instead of
    // 8000 and ./data, and no StatsD socket, so the test shares the machine.
    const args = readmeServeCommand();
    expect(args.join(' ')).toContain('--scrape http://127.0.0.1:9464/metrics');
    const vigilPort = await freePort();
    const data = mkdtempSync(join(tmpdir(), 'vigil-docs-examples-'));
    try {
      const vigil = spawn(
        join(root, 'node_modules/.bin/vigil'),
        [
          ...args.map((a) => a.replace(':9464/', `:${port}/`)),
          ...['--listen', `127.0.0.1:${vigilPort}`, '--data', data, '--statsd', 'off'],
        ],
        { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      children.push(vigil);
      let stderr = '';
      vigil.stderr!.on('data', (d) => {
        stderr += d;
      });
      const started = await until(
        'vigil serve to have scraped app_started_total from the example',
        async () => {
          const q = new URLSearchParams({ query: 'app_started_total' });
          const body = (await (await fetch(`http://127.0.0.1:${vigilPort}/api/v1/query?${q}`)).json()) as {
            data: { result: { metric: Record<string, string>; value: [number, string] }[] };
          };
          return body.data.result[0];
        },
        { context: () => stderr },
      );
      expect(started.value[1]).toBe('1');
      expect(started.metric.instance).toBe(`127.0.0.1:${port}`);
      vigil.kill('SIGKILL');
      await new Promise((resolve) => (vigil.exitCode !== null ? resolve(null) : vigil.once('exit', resolve)));
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('docs/library.md: measure, exposition, bound handles, collect callbacks, timers and the decorator', async () => {
    const program = [
      "const openai = { chat: async (prompt) => 'answer to ' + prompt };",
      "const prompt = 'hello';",
      "const req = { headers: { accept: 'text/plain; version=0.0.4' } };",
      'const pool = { size: 3 };',
      ...codeBlocks('docs/library.md'),
      "await new Provider().complete('hi');",
      "const after = exposition(await registry.snapshot(), 'text/plain');",
      'console.log(JSON.stringify({ answer, contentType, body: after.body }));',
    ].join('\n');
    const { child, output } = await run('library', program);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, output()).toBe(0);
    const result = JSON.parse(output().trim().split('\n').at(-1)!) as {
      answer: string;
      contentType: string;
      body: string;
    };
    expect(result.answer).toBe('answer to hello');
    expect(result.contentType).toMatch(/^text\/plain/);
    expect(result.body).toMatch(
      /^llm_request_duration_seconds_count\{provider="openai",status="success"\} 1$/m,
    );
    expect(result.body).toMatch(
      /^llm_request_duration_seconds_count\{provider="mistral",status="success"\} 1$/m,
    );
    expect(result.body).toMatch(/^http_requests_total\{method="GET",code="200"\} 2$/m);
    expect(result.body).toMatch(/^active_sessions 3$/m);
  });
});

describe('docs/otlp.md', () => {
  it("the exporter pointed at vigil's /v1/metrics delivers an OpenTelemetry counter", async () => {
    const [block] = codeBlocks('docs/otlp.md');
    expect(block).toContain("url: 'http://127.0.0.1:8000/v1/metrics'");
    const data = mkdtempSync(join(tmpdir(), 'vigil-docs-otlp-'));
    const server = await serve(loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off' }, {}));
    try {
      // What the page leaves to the reader: keeping the exporter, a meter provider exporting through it.
      const program = [
        block!
          .replace('http://127.0.0.1:8000', server.url)
          .replace('new OTLPMetricExporter(', 'const exporter = new OTLPMetricExporter('),
        "import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';",
        'const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter })] });',
        "provider.getMeter('docs').createCounter('docs.example.requests', { unit: '{request}' }).add(3);",
        'await provider.forceFlush();',
        'await provider.shutdown();',
      ].join('\n');
      const { child, output } = await run('otlp', program);
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, output()).toBe(0);
      const q = new URLSearchParams({ query: 'docs_example_requests_total' });
      const body = (await (await fetch(`${server.url}/api/v1/query?${q}`)).json()) as {
        data: { result: { value: [number, string] }[] };
      };
      expect(body.data.result.map((r) => r.value[1])).toEqual(['3']);
    } finally {
      await server.close();
      rmSync(data, { recursive: true, force: true });
    }
  });
});

/** Every YAML block of docs/*.md, with the page it is on and its position there. */
function yamlExamples(): { where: string; text: string }[] {
  return readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .flatMap((name) =>
      codeBlocks(`docs/${name}`, 'yaml|yml').map((text, i) => ({
        where: `docs/${name}, YAML block ${i + 1}`,
        text,
      })),
    );
}

/**
 * What a vigil.yaml example leaves to the reader: the receivers it names (escalation steps, reports,
 * post-mortems) are defined in the notification configuration, which those pages do not repeat.
 */
function withNamedReceivers(text: string): string {
  if (/^notifications:/m.test(text)) return text;
  const named = [...text.matchAll(/[rR]eceivers: \[([^\]]*)\]/g)].flatMap((m) =>
    m[1]!.split(',').map((r) => r.trim()),
  );
  if (named.length === 0) return text;
  const receivers = [...new Set(['log', ...named])].map((name) => `    - { name: ${name} }`).join('\n');
  return `${text}\nnotifications:\n  route: { receiver: log }\n  receivers:\n${receivers}\n`;
}

describe('the YAML examples of docs/ are accepted by what reads them', () => {
  const examples = yamlExamples();
  const ruleFiles = examples.filter((e) => /^groups:/m.test(e.text));
  const dashboards = examples.filter((e) => /^panels:/m.test(e.text));
  // TLS and basic-auth: a certificate, a key and a password hash of the reader's own (placeholders).
  const webConfigs = examples.filter((e) => /^(tls_server_config|basic_auth_users):/m.test(e.text));
  const vigilYaml = examples.filter(
    (e) => !ruleFiles.includes(e) && !dashboards.includes(e) && !webConfigs.includes(e),
  );
  const work = mkdtempSync(join(tmpdir(), 'vigil-docs-yaml-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('finds each kind of example', () => {
    expect(ruleFiles.length).toBeGreaterThanOrEqual(1);
    expect(dashboards.length).toBeGreaterThanOrEqual(1);
    expect(vigilYaml.length).toBeGreaterThanOrEqual(7);
  });

  it.each(vigilYaml.map((e) => [e.where, e.text]))(
    '%s starts vigil serve as its vigil.yaml',
    async (where, text) => {
      const dir = mkdtempSync(join(work, 'serve-'));
      const file = join(dir, 'vigil.yaml');
      // A status listener of its own on a free port, not the example's 8080 on every interface.
      writeFileSync(
        file,
        withNamedReceivers(text.replace(/^status_listen: .*$/m, 'status_listen: 127.0.0.1:0')),
      );
      const server = await serve(
        loadConfig({ config: file, data: join(dir, 'data'), listen: '127.0.0.1:0', statsd: 'off' }, {}),
      ).catch((error: Error) => {
        throw new Error(`${where}: ${error.message}`);
      });
      await server.close();
    },
  );

  it.each(ruleFiles.map((e) => [e.where, e.text]))('%s passes vigil check rules', (_where, text) => {
    const file = join(mkdtempSync(join(work, 'rules-')), 'rules.yml');
    writeFileSync(file, text);
    const out = execFileSync(join(root, 'node_modules/.bin/vigil'), ['check', 'rules', file], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/^\s*SUCCESS: \d+ rules found$/m);
  });

  it.each(dashboards.map((e) => [e.where, e.text]))('%s is a dashboard file vigil reads', (_where, text) => {
    const file = join(mkdtempSync(join(work, 'dashboards-')), 'example.yaml');
    writeFileSync(file, text);
    const read = readDashboard(file);
    expect('error' in read ? read.error : '').toBe('');
  });
});
