import type { DocumentNode } from 'graphql';

/**
 * `compute`, remembered per parsed document: Apollo Server hands the same `DocumentNode` to every
 * request of the same query, so a walk of the document is made once per query, not per request
 * (docs/PERFORMANCE.md step 13). A `WeakMap`: the answer goes with the document.
 */
export function perDocument<T>(compute: (document: DocumentNode) => T): (document: DocumentNode) => T {
  const answers = new WeakMap<DocumentNode, T>();
  return (document) => {
    if (answers.has(document)) return answers.get(document)!;
    const answer = compute(document);
    answers.set(document, answer);
    return answer;
  };
}
