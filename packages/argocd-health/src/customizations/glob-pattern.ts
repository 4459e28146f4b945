/**
 * Compiles an Argo CD wildcard key into a RegExp.
 * - `crossesSlash: true` is gobwas/glob without separators (argocd-cm keys, `argoglob.Match`): `*` also matches `/`.
 * - `crossesSlash: false` is doublestar's path match (built-in `resource_customizations` directories).
 * Supports `*`, `?`, `[abc]`/`[!abc]`/`[a-z]`, `{a,b}` and `\` escapes.
 * @internal
 */
export function compileGlob(pattern: string, crossesSlash: boolean): RegExp {
  const any = crossesSlash ? '[\\s\\S]' : '[^/]';
  let out = '^';
  let braceDepth = 0;
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern[index] as string;
    if (character === '\\' && index + 1 < pattern.length) {
      index += 1;
      out += escapeRegExp(pattern[index] as string);
    } else if (character === '*') {
      while (pattern[index + 1] === '*') index += 1;
      out += `${any}*`;
    } else if (character === '?') {
      out += any;
    } else if (character === '[') {
      const close = pattern.indexOf(']', index + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(index + 1, close);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, (match) => `\\${match}`)}]`;
      index = close;
    } else if (character === '{') {
      braceDepth += 1;
      out += '(?:';
    } else if (character === '}' && braceDepth > 0) {
      braceDepth -= 1;
      out += ')';
    } else if (character === ',' && braceDepth > 0) {
      out += '|';
    } else {
      out += escapeRegExp(character);
    }
  }
  if (braceDepth > 0) return /$^/;
  return new RegExp(`${out}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Whether a key has glob syntax at all. @internal */
export function isGlob(key: string): boolean {
  return /[*?[{]/.test(key);
}
