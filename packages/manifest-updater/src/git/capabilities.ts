/**
 * Capability lists of the git wire protocol (gitprotocol-capabilities(5)): space-separated words, some with a
 * `=value`. Shared by every transport (smart HTTP, SSH).
 */

/** Capabilities as `name → value` (`''` for a bare word). */
export type CapabilityMap = ReadonlyMap<string, string>;

/** Parses a v0 capability list (`multi_ack side-band-64k agent=git/2.45.2`). */
export function parseCapabilityList(text: string): Map<string, string> {
  const capabilities = new Map<string, string>();
  for (const word of text.split(' ')) {
    if (word === '') continue;
    const equals = word.indexOf('=');
    if (equals < 0) capabilities.set(word, '');
    else capabilities.set(word.slice(0, equals), word.slice(equals + 1));
  }
  return capabilities;
}

/**
 * The `agent=` token for a user agent. gitprotocol-capabilities(5): the agent string is printable ASCII without
 * spaces (git itself trims it and turns anything else into `.`, `git_user_agent_sanitized` in git's version.c); a space makes
 * a server read the rest as unknown capabilities (dulwich refuses the request with HTTP 500). Empty → `gitops-kit`.
 */
export function agentToken(userAgent: string): string {
  // Trimmed first, as git does (`git_user_agent_sanitized`), so a trailing newline does not become a dot.
  const token = userAgent
    .trim()
    .replace(/[^\x21-\x7e]/g, '.')
    .slice(0, 128);
  return /^\.*$/.test(token) ? 'gitops-kit' : token;
}

/**
 * A user agent safe for an HTTP header: visible ASCII and single spaces only (RFC 9110 field values), so a
 * caller's value with a newline or non-Latin text can never break the request or inject a header.
 */
export function headerSafeUserAgent(userAgent: string): string {
  const cleaned = userAgent
    .replace(/[^\x20-\x7e]/g, '.')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, 256);
  return /^[. ]*$/.test(cleaned) ? 'gitops-kit' : cleaned;
}

/**
 * The capabilities to send: those we `want` that the server offered, in our order, plus our agent.
 * gitprotocol-capabilities(5): a client sends only capabilities the server advertised, and its `agent` only when
 * the server advertised one.
 */
export function selectCapabilities(
  offered: CapabilityMap,
  wanted: readonly string[],
  agent: string,
): string[] {
  const chosen = wanted.filter((name) => offered.has(name));
  if (offered.has('agent')) chosen.push(`agent=${agentToken(agent)}`);
  return chosen;
}

/** The first of `names` the server offered (e.g. `side-band-64k` before `side-band`). */
export function firstOffered(offered: CapabilityMap, names: readonly string[]): string | undefined {
  return names.find((name) => offered.has(name));
}
