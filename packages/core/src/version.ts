/** The version of `@gitops-kit/core`, sent in the default `User-Agent`. Keep in step with package.json. */
export const CORE_VERSION = '0.2.0';
