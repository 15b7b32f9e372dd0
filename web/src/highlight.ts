// Syntax highlighting for the mapping language (SPEC §5) and the audience language (§7): a
// small tokenizer, then one <span class="tok-…"> per token. Text is never parsed as HTML.
import { h } from './dom';

const KEYWORDS = new Set([
  'select', 'from', 'into', 'by', 'or', 'and', 'not', 'alias', 'if', 'where', 'as', 'kind',
  'mergeop', 'shortdesc', 'longdesc', 'filter', 'in', 'intersects', 'contains', 'like',
  'between', 'exists', 'include', 'user',
]);
const LITERALS = new Set(['true', 'false', 'null']);

export type TokKind = 'kw' | 'lit' | 'str' | 'num' | 'com' | 'fn' | 'id' | 'op' | 'punc' | 'ws' | 'bad';
export interface Tok {
  kind: TokKind;
  text: string;
  line: number; // 1-based
  column: number; // 1-based, in characters
}

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  const push = (kind: TokKind, text: string) => {
    out.push({ kind, text, line, column: col });
    for (const ch of text) {
      if (ch === '\n') {
        line++;
        col = 1;
      } else col++;
    }
    i += text.length;
  };
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpMatchArray | null;
    if ((m = rest.match(/^\s+/))) push('ws', m[0]);
    else if ((m = rest.match(/^(--|#|\/\/)[^\n]*/))) push('com', m[0]);
    else if ((m = rest.match(/^"(?:[^"\\\n]|\\.)*"?/)) || (m = rest.match(/^'(?:[^'\\\n]|\\.)*'?/)) || (m = rest.match(/^`[^`\n]*`?/))) push('str', m[0]);
    else if ((m = rest.match(/^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/))) push('num', m[0]);
    else if ((m = rest.match(/^\[\]string|^map\[string\][a-z]+/))) push('kw', m[0]);
    else if ((m = rest.match(/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*/))) {
      const word = m[0];
      const lw = word.toLowerCase();
      const after = src.slice(i + word.length).match(/^\s*\(/);
      if (KEYWORDS.has(lw)) push('kw', word);
      else if (LITERALS.has(lw)) push('lit', word);
      else if (after) push('fn', word);
      else push('id', word);
    } else if ((m = rest.match(/^(<=|>=|!=|==|=|<|>|\+|-|\*|\/|%)/))) push('op', m[0]);
    else if ((m = rest.match(/^[(),.\[\]{}:;]/))) push('punc', m[0]);
    else push('bad', rest[0]);
  }
  return out;
}

// <pre class="code"><code>…</code></pre> with highlighted tokens. When `error` is given, the
// token at that position (or the character) is marked, and a caret line is added after it.
export function highlighted(src: string, error?: { line: number; column: number; message?: string }): HTMLElement {
  const code = h('code', null);
  const toks = tokenize(src);
  let marked = false;
  for (const t of toks) {
    const hit =
      error && !marked && t.kind !== 'ws' && t.line === error.line && error.column >= t.column && error.column < t.column + t.text.length;
    if (hit) {
      marked = true;
      code.append(h('mark', { class: `tok-${t.kind} err-mark`, title: error!.message ?? 'error here' }, t.text));
    } else {
      code.append(t.kind === 'ws' ? document.createTextNode(t.text) : h('span', { class: `tok-${t.kind}` }, t.text));
    }
  }
  if (error && !marked) {
    // Past the end of a line (e.g. "expected ')'"): mark the end.
    code.append(h('mark', { class: 'err-mark err-eol', title: error.message ?? 'error here' }, ' '));
  }
  return h('pre', { class: 'code' }, code);
}

// The offending line with a caret under the column, compiler style.
export function caretExcerpt(src: string, line: number, column: number): string {
  const lines = src.split('\n');
  const text = lines[line - 1] ?? '';
  const gutter = `${line} | `;
  return `${gutter}${text}\n${' '.repeat(gutter.length + Math.max(0, column - 1))}^`;
}

// Server messages for language errors may start with "line 1, column 8: "; the UI shows the
// position itself.
export function withoutPosition(message: string): string {
  return message.replace(/^line \d+, column \d+: /i, '');
}
