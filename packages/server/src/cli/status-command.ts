import { parseArgs } from 'node:util';

const USAGE =
  'expected "vigil status post SLUG --title TEXT --body TEXT [--state STATE]", "vigil status update SLUG ID --body TEXT [--state STATE] [--title TEXT]" or "vigil status list SLUG"';

/**
 * `vigil status post|update|list`: posts incidents on a status page of a running server through its
 * authenticated API (`/api/status-pages/<slug>/incidents`), and prints what the server answered.
 */
export async function runStatus(
  args: string[],
  out: (text: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    err(`vigil status: ${(error as Error).message}\n(see vigil help)`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, slug, id] = positionals;
  const url = (values.url ?? process.env.VIGIL_URL ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');
  const token = values.token ?? process.env.VIGIL_TOKEN;
  if (!/^https?:\/\//.test(url)) {
    err(`vigil status: --url: got ${JSON.stringify(url)}, expected an http:// or https:// URL`);
    return 2;
  }
  const wanted = { post: 2, update: 3, list: 2 }[action ?? ''];
  if (wanted === undefined || positionals.length !== wanted) {
    err(`vigil status: ${USAGE}`);
    return 2;
  }
  const base = `${url}/api/status-pages/${encodeURIComponent(slug!)}/incidents`;
  const body =
    action === 'list'
      ? undefined
      : {
          ...(values.title !== undefined && { title: values.title }),
          ...(values.body !== undefined && { body: values.body }),
          ...(values.state !== undefined && { state: values.state }),
        };
  const target = action === 'update' ? `${base}/${encodeURIComponent(id!)}/updates` : base;
  let res: Response;
  try {
    res = await fetch(target, {
      method: body ? 'POST' : 'GET',
      headers: {
        ...(body && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
      },
      ...(body && { body: JSON.stringify(body) }),
    });
  } catch (error) {
    err(`vigil status: cannot reach ${url}: ${(error as Error).message}`);
    return 1;
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {}
    err(`vigil status: ${res.status}: ${message}`);
    return 1;
  }
  out(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  return 0;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      title: { type: 'string' },
      body: { type: 'string' },
      state: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
}
