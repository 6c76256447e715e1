import type { Matcher } from '../alert-types.js';
import type { ApiClient } from '../api-client.js';
import { authorName } from '../author-name.js';
import { h, replace } from '../dom.js';

const DURATIONS: readonly [string, number][] = [
  ['30 minutes', 30 * 60_000],
  ['1 hour', 3_600_000],
  ['2 hours', 7_200_000],
  ['4 hours', 14_400_000],
  ['1 day', 86_400_000],
  ['1 week', 604_800_000],
];

/** The form that creates a silence with POST /api/silences (Alertmanager v2's postableSilence). */
export class SilenceForm {
  readonly element: HTMLFormElement;
  readonly #matchers: HTMLInputElement;
  readonly #status = h('p', { class: 'form-status', role: 'status' });

  constructor(api: ApiClient, onCreated: (id: string) => void) {
    this.#matchers = h('input', {
      name: 'matchers',
      placeholder: 'alertname="HighLatency", severity="critical"',
      required: true,
    });
    const duration = h(
      'select',
      { name: 'duration' },
      ...DURATIONS.map(([label, ms]) => h('option', { value: ms }, label)),
    );
    duration.value = String(3_600_000);
    const author = h('input', { name: 'createdBy', placeholder: 'your name', required: true });
    author.value = authorName.get();
    const comment = h('input', { name: 'comment', placeholder: 'why (a ticket, a deploy)', required: true });
    this.element = h(
      'form',
      { class: 'silence-form' },
      h('label', {}, 'Matchers', this.#matchers),
      h('label', {}, 'Duration', duration),
      h('label', {}, 'Created by', author),
      h('label', {}, 'Comment', comment),
      h('button', { type: 'submit' }, 'Create silence'),
      this.#status,
    );
    this.element.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (this.#matchers.value.trim() === '')
        return this.#say('At least one matcher is needed, such as alertname="HighLatency".', 'error');
      if (author.value.trim() === '' || comment.value.trim() === '')
        return this.#say('"Created by" and "Comment" are both needed.', 'error');
      authorName.set(author.value);
      let matchers: Matcher[];
      try {
        // The server reads the matchers: one parser of Alertmanager's syntax, the one silences use.
        matchers = await api.get<Matcher[]>('/api/matchers', { text: this.#matchers.value });
      } catch (error) {
        return this.#say((error as Error).message, 'error');
      }
      const now = Date.now();
      try {
        const { silenceID } = await api.post<{ silenceID: string }>('/api/silences', {
          matchers,
          startsAt: new Date(now).toISOString(),
          endsAt: new Date(now + Number(duration.value)).toISOString(),
          createdBy: author.value.trim(),
          comment: comment.value.trim(),
        });
        this.#say(`Silence ${silenceID} created.`, 'ok');
        comment.value = '';
        onCreated(silenceID);
      } catch (error) {
        this.#say(`The silence was not created: ${(error as Error).message}`, 'error');
      }
    });
  }

  /** Fills the matchers from an alert's labels (the "Silence" button of an alert row). */
  prefill(labels: Readonly<Record<string, string>>): void {
    this.#matchers.value = Object.entries(labels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ');
    this.#matchers.focus();
  }

  #say(text: string, kind: 'ok' | 'error'): void {
    this.#status.className = `form-status ${kind}`;
    replace(this.#status, text);
  }
}
