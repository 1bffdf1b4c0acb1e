import type { MountedGroup } from './openapi.js';

type JsonObject = Record<string, unknown>;

/**
 * Puts each group's request examples into the OpenAPI document, where the reference shows them
 * and "try it" starts from them: `example` on the JSON request body and on each parameter.
 * A separate pass over the built document, so the examples live beside their plugin's routes.
 */
export function withRequestExamples(doc: JsonObject, groups: readonly MountedGroup[]): JsonObject {
  const paths = doc['paths'] as Record<string, Record<string, JsonObject>>;
  for (const { group, prefix } of groups) {
    for (const [key, example] of Object.entries(group.examples ?? {})) {
      const [method, path] = key.split(' ') as [string, string];
      const operation = paths[`${prefix}${path}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}') || '/']?.[method.toLowerCase()];
      if (!operation) continue; // a route an option left out (a test checks every key names a route of the full kit)
      const json = (operation['requestBody'] as { content?: Record<string, JsonObject> } | undefined)?.content?.['application/json'];
      if (example.body !== undefined && json) json['example'] = example.body;
      for (const parameter of (operation['parameters'] as JsonObject[] | undefined) ?? []) {
        const values = parameter['in'] === 'path' ? example.params : parameter['in'] === 'query' ? example.query : undefined;
        const value = values?.[parameter['name'] as string];
        if (value !== undefined) parameter['example'] = value;
      }
    }
  }
  return doc;
}
