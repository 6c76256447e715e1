import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, insertNewlineAndIndent } from '@codemirror/commands';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';
import type { QueryEditor, QueryEditorOptions } from './query-editor.js';

/**
 * Explore's PromQL editor: CodeMirror with the Prometheus team's PromQL language (highlighting,
 * linting, completion of functions, metric names, label names and values from this server's
 * metadata, label-values-with-match[], series and flags endpoints). This module and CodeMirror are a
 * chunk of their own, imported by the Explore page only, so the other pages never load them. It
 * takes the token as a function, not from token-store.ts, so the chunk shares no module with the app.
 */
export function createPromqlEditor(
  options: QueryEditorOptions,
  token: () => string | undefined,
): QueryEditor {
  const promql = new PromQLExtension().setComplete({
    remote: {
      // The same origin as the page; the token as every other request of the dashboard carries it.
      url: '',
      fetchFn: (input, init) => {
        const headers = new Headers(init?.headers);
        const bearer = token();
        if (bearer) headers.set('authorization', `Bearer ${bearer}`);
        return fetch(input, { ...init, headers });
      },
      // Names and labels of the last day: the demo's and a fresh install's data fit in it.
      lookbackInterval: 24 * 3_600_000,
    },
  });
  const run = () => {
    options.onRun();
    return true;
  };
  const view = new EditorView({
    state: EditorState.create({
      doc: options.value,
      extensions: [
        history(),
        closeBrackets(),
        bracketMatching(),
        autocompletion(),
        syntaxHighlighting(promqlHighlight),
        placeholder(options.placeholder),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': options.label, 'aria-multiline': 'true' }),
        theme,
        // Enter runs the query as in Prometheus's own editor (Shift+Enter starts a new line); the
        // completion list, open, takes Enter first: autocompletion() binds it at a higher precedence.
        Prec.high(
          keymap.of([
            { key: 'Enter', run },
            { key: 'Mod-Enter', run },
            { key: 'Shift-Enter', run: insertNewlineAndIndent },
          ]),
        ),
        keymap.of([...closeBracketsKeymap, ...completionKeymap, ...historyKeymap, ...defaultKeymap]),
        promql.asExtension(),
      ],
    }),
  });
  view.dom.classList.add('promql-editor');
  // The typing surface carries the class the textarea had, so what addressed one finds the other.
  view.contentDOM.classList.add('explore-query');
  return {
    element: view.dom,
    get value() {
      return view.state.doc.toString();
    },
    set value(text: string) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    insert(text: string) {
      const { from, to } = view.state.selection.main;
      view.dispatch({
        changes: { from, to, insert: text },
        selection: { anchor: from + text.length },
        scrollIntoView: true,
      });
      view.focus();
    },
    focus() {
      view.focus();
    },
    destroy() {
      promql.destroy();
      view.destroy();
    },
  };
}

// Colours from the page's palette, each at least 4.5:1 against the editor's background (#21262d).
const promqlHighlight = HighlightStyle.define([
  { tag: tags.keyword, color: '#ff7b72' },
  { tag: tags.function(tags.variableName), color: '#d2a8ff' },
  { tag: tags.labelName, color: '#ffa657' },
  { tag: tags.string, color: '#a5d6ff' },
  { tag: tags.number, color: '#79c0ff' },
  { tag: tags.operator, color: '#ff7b72' },
  { tag: tags.comment, color: '#a1a9b3', fontStyle: 'italic' },
  { tag: tags.invalid, color: '#ff9492' },
]);

const theme = EditorView.theme(
  {
    '&': {
      flex: '1',
      minWidth: '0',
      background: '#21262d',
      border: '1px solid #30363d',
      borderRadius: '6px',
      fontSize: '13px',
    },
    '&.cm-focused': { outline: '2px solid #58a6ff', outlineOffset: '-1px' },
    '.cm-content': { fontFamily: 'ui-monospace, monospace', padding: '6px 0', caretColor: '#e6edf3' },
    '.cm-line': { padding: '0 8px' },
    '.cm-placeholder': { color: '#a1a9b3' },
    '.cm-scroller': { fontFamily: 'ui-monospace, monospace' },
    '.cm-tooltip': { background: '#161b22', border: '1px solid #30363d', color: '#e6edf3' },
    '.cm-tooltip-autocomplete > ul': { fontFamily: 'ui-monospace, monospace', maxWidth: 'min(90vw, 560px)' },
    '.cm-tooltip-autocomplete > ul > li[aria-selected]': { background: '#1f6feb', color: '#ffffff' },
    '.cm-tooltip-autocomplete > ul > li[aria-selected] .cm-completionDetail': { color: '#ffffff' },
    // On a phone the list is as wide as the screen: the name gives way (ellipsis), its kind stays.
    '.cm-tooltip-autocomplete > ul > li': { display: 'flex', alignItems: 'baseline' },
    '.cm-completionLabel': { flex: '1 1 auto', minWidth: '0', overflow: 'hidden', textOverflow: 'ellipsis' },
    '.cm-completionDetail': { flex: 'none', color: '#a1a9b3', fontStyle: 'normal', marginLeft: '8px' },
    '.cm-completionInfo': { background: '#161b22', border: '1px solid #30363d', maxWidth: '320px' },
    '.cm-completionMatchedText': { textDecoration: 'none', fontWeight: '700' },
    '.cm-diagnostic-error': { borderLeftColor: '#f85149' },
    '.cm-lintRange-error': { textDecoration: 'underline wavy #f85149' },
    '.cm-matchingBracket': { background: '#30363d', color: 'inherit' },
  },
  { dark: true },
);
