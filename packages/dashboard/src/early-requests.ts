/**
 * The requests boot.ts sends while the page's bundle is still downloading and compiling, and their
 * hand-over to the app: boot.ts is inlined into index.html and runs as the HTML is parsed, so the
 * dashboard's definition and its panels' queries are already on their way (or answered) when the
 * app asks for them. The two scripts are separate bundles and meet on `window`.
 */
export interface EarlyRequests {
  /** location.hash when they were sent: the page and time range they were sent for. */
  readonly hash: string;
  /** The clock reading (Unix ms) their time range was resolved against. */
  readonly now: number;
  /** By GET path, exactly as the app builds it (request-path.ts). */
  readonly responses: Map<string, Promise<Response>>;
  /** Resolves once boot.ts has sent all it will send (or given up). */
  readonly sent: Promise<void>;
  /** Whether the app has resolved its first time range against `now` already. */
  nowTaken: boolean;
}

declare global {
  interface Window {
    vigilEarly?: EarlyRequests;
  }
}

/** Called by boot.ts, which fills `responses` as it sends; `sending` settles when it has sent the last. */
export function publishEarly(
  hash: string,
  now: number,
  responses: Map<string, Promise<Response>>,
  sending: Promise<void>,
): EarlyRequests {
  // A failure while sending leaves the rest to the app, which asks again and reports it.
  const sent = sending.catch(() => {});
  const early: EarlyRequests = { hash, now, responses, sent, nowTaken: false };
  window.vigilEarly = early;
  return early;
}

/**
 * The response boot.ts received for `path`, once (a body is read once; a second ask, such as a
 * refresh, goes to the network), or undefined when it sent none or it failed: the caller fetches
 * it itself then, and so meets a 401's token prompt or the error as it would have without boot.ts.
 */
export async function takeEarly(path: string): Promise<Response | undefined> {
  const early = window.vigilEarly;
  if (!early) return undefined;
  // The app may build a panel from the definition boot.ts is still reading: its queries are
  // about to be sent, and asking for them again would run each twice on the server.
  if (!early.responses.has(path)) await early.sent;
  const pending = early.responses.get(path);
  if (!pending) return undefined;
  early.responses.delete(path);
  const response = await pending.catch(() => undefined);
  return response?.ok ? response : undefined;
}

/**
 * The clock reading boot.ts resolved its range against, for the app's first load of the page it
 * was sent for (`hash` unchanged), so that the app asks for the same `start`, `end` and `time`
 * and finds its answers sent; after that, and for any other page, undefined.
 */
export function earlyNow(hash: string): number | undefined {
  const early = window.vigilEarly;
  if (!early || early.nowTaken || early.hash !== hash) return undefined;
  early.nowTaken = true;
  return early.now;
}
