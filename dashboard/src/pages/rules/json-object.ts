/**
 * The rule tester's optional JSON inputs: a request body (any object) or query and headers
 * (objects of text values, as a request carries them).
 */

/** The parsed object, undefined for an empty box, or an error sentence. */
export function parseJsonObject(text: string, textValues: boolean): { value?: Record<string, unknown>; error?: string } {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'Not valid JSON.' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'Must be a JSON object, e.g. {"key": "value"}.' };
  if (textValues) {
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== 'string') return { error: `The value of "${key}" must be text.` };
    }
  }
  return { value: parsed as Record<string, unknown> };
}
