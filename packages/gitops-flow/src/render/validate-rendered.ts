import { ValidationError } from '@gitops-kit/core';
import { validateTektonDocument } from '@gitops-kit/tekton-client';
import { stringify } from 'yaml';

/** A rendered Tekton document: what {@link validatedYaml} needs to name it in an error. */
interface RenderedDocument {
  kind?: string;
  metadata?: { name?: string | undefined };
}

/**
 * Validates every rendered document with `validateTektonDocument` and joins them into one multi-document YAML
 * stream. Shared by the renderers so that nothing leaves them unvalidated.
 *
 * @throws {ValidationError} for the first document that fails validation.
 */
export function validatedYaml(documents: readonly RenderedDocument[]): string {
  for (const document of documents) {
    const result = validateTektonDocument(document);
    if (!result.valid) {
      const first = result.issues[0];
      throw new ValidationError(
        `The rendered ${document.kind} ${document.metadata?.name ?? ''} is invalid at ${first?.path.join('.') ?? '?'}: ${first?.message ?? 'unknown issue'}`,
      );
    }
  }
  return documents.map((document) => stringify(document, { lineWidth: 0 })).join('---\n');
}
