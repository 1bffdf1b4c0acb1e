import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { FormatRegistry } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';

// String formats route schemas may use. TypeBox knows none by default; a schema with an
// unregistered format fails every value, so these are registered once here.
const FORMATS: Record<string, (value: string) => boolean> = {
  // a dotted domain: `a@localhost` is not an address anyone can receive mail at
  email: (v) => /^[^\s@]{1,64}@(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/.test(v),
  uri: (v) => URL.canParse(v),
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
};
for (const [name, check] of Object.entries(FORMATS)) if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);
import { coreErrors, type FieldIssue } from '../errors.js';

/** How many field issues one error carries at most, so a huge bad body yields a bounded reply. */
const MAX_ISSUES = 20;

export type RequestPart = 'body' | 'query' | 'params';

/**
 * A compiled validator for one part of a request. Query strings and path params arrive as
 * strings, so for those the validator converts values to the schema's types first
 * (`"10"` → 10 where the schema says integer; see `convertText`); bodies are JSON and are
 * never coerced.
 */
export interface PartValidator<T> {
  readonly schema: TSchema;
  /** The value (defaults applied, query/params coerced) or the issues found in it. */
  check(value: unknown): { ok: true; value: T } | { ok: false; issues: FieldIssue[] };
  /** The value, or throws VALIDATION_FAILED (400) naming every invalid field. */
  parse(value: unknown): T;
}

/** Validates several parts at once, so one reply names every invalid field of the request. */
export function parseParts<T extends Record<string, unknown>>(parts: { [K in keyof T]?: [PartValidator<T[K]>, unknown] }): Partial<T> {
  const out: Partial<T> = {};
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(parts) as (keyof T)[]) {
    const [validator, raw] = parts[key]!;
    const result = validator.check(raw);
    if (result.ok) out[key] = result.value;
    else issues.push(...result.issues);
  }
  if (issues.length > 0) throw coreErrors.create('VALIDATION_FAILED', { issues: issues.slice(0, MAX_ISSUES) });
  return out;
}

export function compileValidator<S extends TSchema>(part: RequestPart, schema: S): PartValidator<Static<S>> {
  const check: TypeCheck<S> = TypeCompiler.Compile(schema);
  const coerce = part !== 'body';
  const validator: PartValidator<Static<S>> = {
    schema,
    check(raw) {
      let value = raw;
      if (value !== undefined || part !== 'body') value = Value.Default(schema, value ?? {});
      if (coerce) value = convertText(schema, value);
      if (!check.Check(value)) return { ok: false, issues: collectIssues(part, check.Errors(value)) };
      const nul = nulIssues(part, value);
      return nul.length === 0 ? { ok: true, value } : { ok: false, issues: nul };
    },
    parse(raw) {
      const result = validator.check(raw);
      if (result.ok) return result.value;
      throw coreErrors.create('VALIDATION_FAILED', { issues: result.issues });
    },
  };
  return validator;
}

/**
 * The text a number field of a query string or path param may hold: digits with an optional
 * minus, and for a non-integer number an optional fraction. TypeBox's own conversion reads
 * numbers with `parseInt`-like leniency (`1.5`, `1e400` and `1e3` all became 1, `0x10` 16,
 * ` 5` 5), so a client asking for page `1.5` silently got page 1.
 */
const DECIMAL_TEXT: Record<string, RegExp> = { integer: /^-?\d+$/, number: /^-?\d+(\.\d+)?$/ };

/**
 * Converts the text values of a query or params object to the schema's types. Number fields
 * take only `DECIMAL_TEXT` whose value is finite (integers: safe integers); any other text is
 * left as it came, so the type check fails and the reply names the field. The rest (booleans,
 * literals, arrays of repeated keys) goes through TypeBox's conversion.
 */
function convertText(schema: TSchema, value: unknown): unknown {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  if (!properties || typeof value !== 'object' || value === null || Array.isArray(value)) return Value.Convert(schema, value);
  const isNumberText = ([key, raw]: [string, unknown]) => typeof raw === 'string' && Object.hasOwn(DECIMAL_TEXT, String(properties[key]?.type));
  const entries = Object.entries(value);
  // fromEntries, not assignment: a `__proto__` query key stays a plain key
  const rest = Object.fromEntries(entries.filter((entry) => !isNumberText(entry)));
  const numbers = entries.filter(isNumberText).map(([key, raw]) => {
    const type = String(properties[key]!.type);
    const number = Number(raw);
    const exact = DECIMAL_TEXT[type]!.test(String(raw)) && (type === 'integer' ? Number.isSafeInteger(number) : Number.isFinite(number));
    return [key, exact ? number : raw] as const;
  });
  return { ...(Value.Convert(schema, rest) as Record<string, unknown>), ...Object.fromEntries(numbers) };
}

function collectIssues(part: RequestPart, errors: Iterable<ValueError>): FieldIssue[] {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const error of errors) {
    const field = fieldName(part, error.path);
    if (seen.has(field)) continue; // the first error of a field is the most telling one
    seen.add(field);
    issues.push({ field, message: describe(error) });
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues;
}

/**
 * Text with U+0000 is refused in every part, keys included: PostgreSQL cannot store or compare
 * text holding a NUL (it fails the whole statement), and no identifier, code or metadata value
 * of the kit has a use for one; refusing it on every engine keeps the three answering alike.
 */
function nulIssues(part: RequestPart, value: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const walk = (node: unknown, path: string): void => {
    if (issues.length >= MAX_ISSUES) return;
    if (typeof node === 'string') {
      if (node.includes('\u0000')) issues.push({ field: fieldName(part, path), message: 'must not contain a NUL character.' });
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}/${i}`));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (key.includes('\u0000')) issues.push({ field: fieldName(part, at), message: 'must not contain a NUL character.' });
        else walk(item, at);
      }
    }
  };
  walk(value, '');
  return issues;
}

function fieldName(part: RequestPart, path: string): string {
  if (path === '') return part;
  const name = path
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  return part === 'body' ? name : `${part}.${name}`;
}

/** Type errors read as Origin's seed does: `code: not a valid string.` */
const TYPE_NAMES: Partial<Record<ValueErrorType, string>> = {
  [ValueErrorType.String]: 'string',
  [ValueErrorType.Number]: 'number',
  [ValueErrorType.Integer]: 'integer',
  [ValueErrorType.Boolean]: 'boolean',
  [ValueErrorType.Object]: 'object',
  [ValueErrorType.Array]: 'array',
};

/** `must be an integer from 1 to 100.` for a number with both bounds, whatever was wrong with it; else null. */
function rangeMessage(error: ValueError): string | null {
  const { type, minimum, maximum } = error.schema as Record<string, unknown>;
  if ((type !== 'integer' && type !== 'number') || typeof minimum !== 'number' || typeof maximum !== 'number') return null;
  return `must be ${type === 'integer' ? 'an integer' : 'a number'} from ${minimum} to ${maximum}.`;
}

const NUMBER_ERRORS = new Set([
  ValueErrorType.Integer,
  ValueErrorType.Number,
  ValueErrorType.IntegerMinimum,
  ValueErrorType.IntegerMaximum,
  ValueErrorType.NumberMinimum,
  ValueErrorType.NumberMaximum,
]);

function describe(error: ValueError): string {
  const schema = error.schema as Record<string, unknown>;
  // a bounded number names its whole range: the client learns at once what it may send
  const range = error.value !== undefined && NUMBER_ERRORS.has(error.type) ? rangeMessage(error) : null;
  if (range) return range;
  const typeName = TYPE_NAMES[error.type];
  if (typeName) return error.value === undefined ? 'is required.' : `not a valid ${typeName}.`;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required.';
    case ValueErrorType.StringMinLength:
      return `must be at least ${String(schema['minLength'])} characters.`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${String(schema['maxLength'])} characters.`;
    case ValueErrorType.StringPattern:
      // a pattern's schema may say in words what it accepts (`x-accepts`, shown in the OpenAPI document too)
      return typeof schema['x-accepts'] === 'string' ? `must be ${schema['x-accepts']}.` : 'has an invalid format.';
    case ValueErrorType.StringFormat:
    case ValueErrorType.StringFormatUnknown:
      return 'has an invalid format.';
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${String(schema['minimum'])}.`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be at most ${String(schema['maximum'])}.`;
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${String(schema['maxItems'])} items.`;
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(schema['minItems'])} items.`;
    case ValueErrorType.ObjectAdditionalProperties:
      return 'is not allowed.';
    case ValueErrorType.Literal:
      return `must be ${JSON.stringify(schema['const'])}.`;
    case ValueErrorType.Union: {
      // a union of literals is an enum: name every allowed value, so the client can pick one
      const values = Array.isArray(schema['anyOf']) ? (schema['anyOf'] as Record<string, unknown>[]).map((option) => option['const']) : [];
      if (values.length > 0 && values.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
        return `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}.`;
      }
      return 'not a valid value.';
    }
    default:
      return `${error.message.replace(/\.$/, '')}.`;
  }
}
