/**
 * Reads the block-style YAML subset that the argocd CLI writes for its config file (sigs.k8s.io/yaml output:
 * mappings, sequences of mappings, plain/quoted scalars). JSON is accepted too. Anchors, flow collections other
 * than `[]`/`{}`, multi-line scalars and tags are not supported and raise a `SyntaxError`.
 */
export function parseMinimalYaml(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return JSON.parse(trimmed);
  const lines = text
    .split(/\r?\n/)
    .map((raw, index) => ({ raw, number: index + 1 }))
    .filter(({ raw }) => raw.trim() !== '' && !raw.trim().startsWith('#') && raw.trim() !== '---');
  let position = 0;

  const indentOf = (raw: string): number => raw.length - raw.trimStart().length;

  function scalar(value: string, lineNumber: number): unknown {
    const text = value.trim();
    if (text === '' || text === '~' || text === 'null') return null;
    if (text === '[]') return [];
    if (text === '{}') return {};
    if (text.startsWith('"')) return JSON.parse(text);
    if (text.startsWith("'")) {
      if (!text.endsWith("'")) throw new SyntaxError(`line ${lineNumber}: unterminated quoted string`);
      return text.slice(1, -1).replaceAll("''", "'");
    }
    if (/^[[{&*!|>]/.test(text)) throw new SyntaxError(`line ${lineNumber}: unsupported YAML construct`);
    if (text === 'true') return true;
    if (text === 'false') return false;
    if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
    return text.replace(/\s+#.*$/, '');
  }

  function splitKey(content: string, lineNumber: number): [string, string] {
    const match = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:]+?):(?:\s+(.*))?$/.exec(content);
    if (!match) throw new SyntaxError(`line ${lineNumber}: expected "key: value"`);
    const key = match[1] as string;
    return [
      key.startsWith('"') || key.startsWith("'") ? (scalar(key, lineNumber) as string) : key,
      match[2] ?? '',
    ];
  }

  function block(indent: number): unknown {
    const first = lines[position];
    if (!first || indentOf(first.raw) < indent) return null;
    const isSequence = first.raw.trimStart().startsWith('- ') || first.raw.trim() === '-';
    if (isSequence) {
      const items: unknown[] = [];
      const sequenceIndent = indentOf(first.raw);
      while (position < lines.length) {
        const line = lines[position] as { raw: string; number: number };
        if (indentOf(line.raw) !== sequenceIndent || !line.raw.trimStart().startsWith('-')) break;
        const rest = line.raw.trimStart().slice(1);
        const itemIndent = sequenceIndent + 1 + (rest.length - rest.trimStart().length);
        if (rest.trim() === '') {
          position += 1;
          items.push(block(sequenceIndent + 1));
        } else if (/^\s*("[^"]*"|'[^']*'|[^:'"]+):(\s|$)/.test(rest)) {
          // "- key: value" starts a mapping whose keys are aligned after the dash.
          lines[position] = { raw: ' '.repeat(itemIndent) + rest.trimStart(), number: line.number };
          items.push(mapping(itemIndent));
        } else {
          position += 1;
          items.push(scalar(rest, line.number));
        }
      }
      return items;
    }
    return mapping(indentOf(first.raw));
  }

  function mapping(indent: number): Record<string, unknown> {
    const result: Record<string, unknown> = Object.create(null);
    while (position < lines.length) {
      const line = lines[position] as { raw: string; number: number };
      const lineIndent = indentOf(line.raw);
      if (lineIndent < indent) break;
      if (lineIndent > indent) throw new SyntaxError(`line ${line.number}: unexpected indentation`);
      if (line.raw.trimStart().startsWith('- ')) break;
      const [key, value] = splitKey(line.raw.trim(), line.number);
      position += 1;
      if (value.trim() === '') {
        const next = lines[position];
        const nested =
          next &&
          (indentOf(next.raw) > indent ||
            (indentOf(next.raw) === indent && next.raw.trimStart().startsWith('- ')));
        result[key] = nested ? block(indentOf(next.raw)) : null;
      } else {
        result[key] = scalar(value, line.number);
      }
    }
    return result;
  }

  const value = block(0);
  if (position < lines.length) throw new SyntaxError(`line ${lines[position]?.number}: unexpected content`);
  return value;
}
