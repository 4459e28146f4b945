import { z } from 'zod';
import type { CallOptions } from '../client/client-options.js';
import { callOptions, type ResourceContext } from './resource-context.js';

/** `GET /api/v1/session/userinfo`. */
export const userInfoSchema = z.looseObject({
  loggedIn: z.boolean().optional(),
  username: z.string().optional(),
  iss: z.string().optional(),
  groups: z.array(z.string()).nullish(),
});
/** Who the current token belongs to. */
export type UserInfo = z.infer<typeof userInfoSchema>;

/**
 * Session calls: log in (`POST /api/v1/session`), who am I, log out.
 *
 * @example
 * ```ts
 * await client.session.login({ username: 'admin', password });
 * const me = await client.session.userInfo(); // { loggedIn: true, username: 'admin' }
 * ```
 */
export class SessionResource {
  readonly #context: ResourceContext;
  constructor(context: ResourceContext) {
    this.#context = context;
  }

  /**
   * Logs in and keeps the session token for later calls. Without arguments it uses the configured credentials.
   * The token is registered for redaction and never logged.
   *
   * @throws {AuthenticationError} when Argo CD refuses the credentials (not retried: accounts lock after 5 failures).
   */
  async login(credentials?: { username: string; password: string }, options?: CallOptions): Promise<void> {
    await this.#context.session.login(options?.signal, credentials);
  }

  /**
   * The current identity. Never fails on a bad token: Argo CD answers `loggedIn: false`.
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async userInfo(options?: CallOptions): Promise<UserInfo> {
    return this.#context.transport.call({
      path: '/api/v1/session/userinfo',
      schema: userInfoSchema,
      ...callOptions(options),
    });
  }

  /**
   * Deletes the session server-side and forgets the token.
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async logout(options?: CallOptions): Promise<void> {
    await this.#context.transport.call({
      method: 'DELETE',
      path: '/api/v1/session',
      responseType: 'none',
      ...callOptions(options),
    });
    this.#context.session.clear();
  }
}
