/**
 * Where JSON text stops being JSON: the offset of the first character a parser cannot accept
 * (the text's length when it ends too early), with its line and column (both from 1). For the
 * message of INVALID_JSON only: V8's own message gives a position for some mistakes and quotes
 * the text for others, and a library's message is never shown to clients as it is.
 * Iterative (an explicit stack), so `[[[[…` of any depth cannot overflow the call stack.
 */
export function jsonErrorPosition(text: string): { position: number; line: number; column: number } {
  const at = (position: number) => {
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    return { position, line, column: position - before.lastIndexOf('\n') };
  };
  let i = 0;
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  /** Reads one scalar at i; false when it is not one. */
  const scalar = (): boolean => {
    const rest = text.slice(i);
    if (text[i] === '"') {
      // eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings: matching them is the point
      const string = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(rest);
      if (!string) {
        // stop at the bad character inside the string, or at the end
        // eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings: matching them is the point
        const partial = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/.exec(rest)!;
        i += partial[0].length;
        return false;
      }
      i += string[0].length;
      return true;
    }
    const token = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(rest);
    if (!token) return false;
    i += token[0].length;
    return true;
  };
  // each entry: the container we are in and what it expects next
  const stack: { close: '}' | ']'; expect: 'first' | 'value' | 'key' | 'colon' | 'comma' }[] = [];
  space();
  for (;;) {
    const top = stack.at(-1);
    if (top && (top.expect === 'comma' || top.expect === 'first')) {
      space();
      if (text[i] === top.close) {
        i++;
        stack.pop();
        const parent = stack.at(-1);
        if (parent) parent.expect = 'comma';
        else break;
        continue;
      }
      if (top.expect === 'comma') {
        if (text[i] !== ',') return at(i);
        i++;
      }
      top.expect = top.close === '}' ? 'key' : 'value';
      continue;
    }
    if (top?.expect === 'key') {
      space();
      if (text[i] !== '"' || !scalar()) return at(i);
      top.expect = 'colon';
      continue;
    }
    if (top?.expect === 'colon') {
      space();
      if (text[i] !== ':') return at(i);
      i++;
      top.expect = 'value';
      continue;
    }
    // a value
    space();
    if (text[i] === '{' || text[i] === '[') {
      if (top) top.expect = 'comma';
      stack.push({ close: text[i] === '{' ? '}' : ']', expect: 'first' });
      i++;
      continue;
    }
    if (!scalar()) return at(i);
    if (!top) break;
    top.expect = 'comma';
  }
  space();
  return at(i < text.length ? i : text.length);
}
