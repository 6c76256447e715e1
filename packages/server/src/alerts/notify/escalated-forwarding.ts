import { background } from '../../errors/background-tasks.js';
import { readFileIfPresent, writeFileDurably } from '../../store/durable-file.js';

/**
 * The receivers with Alertmanager forwarders that an escalation handed alerts to although the
 * alerts' routes do not lead there, by alert fingerprint: they are forwarded each alert until it
 * resolves. Kept in a file, so that after a restart that Alertmanager keeps hearing the alerts the
 * rules send again instead of timing them out as resolved while they still fire.
 */
export class EscalatedForwarding {
  readonly #receivers = new Map<string, Set<string>>();
  readonly #file: string | undefined;

  /** `file`: none keeps it in memory only. */
  constructor(file: string | undefined) {
    this.#file = file;
    const text = file && readFileIfPresent(file);
    if (!text) return;
    try {
      const data = JSON.parse(text) as { receivers: Record<string, string[]> };
      for (const [fp, receivers] of Object.entries(data.receivers))
        this.#receivers.set(fp, new Set(receivers));
    } catch (error) {
      throw new Error(`${file}: cannot read the escalated forwarding: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  get size(): number {
    return this.#receivers.size;
  }

  /** The receivers the alert is forwarded to besides those of its routes. */
  receiversOf(fingerprint: string): ReadonlySet<string> {
    return this.#receivers.get(fingerprint) ?? new Set();
  }

  follow(fingerprint: string, receiver: string): void {
    let receivers = this.#receivers.get(fingerprint);
    if (receivers?.has(receiver)) return;
    if (!receivers) this.#receivers.set(fingerprint, (receivers = new Set()));
    receivers.add(receiver);
    this.#save();
  }

  /** Forgets a resolved alert. */
  forget(fingerprint: string): void {
    if (this.#receivers.delete(fingerprint)) this.#save();
  }

  /** Forgets the alerts `keep` says no to (those no longer known). */
  retain(keep: (fingerprint: string) => boolean): void {
    let changed = false;
    for (const fp of this.#receivers.keys()) {
      if (keep(fp)) continue;
      this.#receivers.delete(fp);
      changed = true;
    }
    if (changed) this.#save();
  }

  #save(): void {
    const file = this.#file;
    if (!file) return;
    const receivers = Object.fromEntries([...this.#receivers].map(([fp, set]) => [fp, [...set]]));
    background(`saving ${file}`, () => writeFileDurably(file, JSON.stringify({ version: 1, receivers })));
  }
}
