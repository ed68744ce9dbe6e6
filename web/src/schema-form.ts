/**
 * A form generated from a license type's JSON Schema (GET /api/v1/license-types): a fieldset per
 * object, a control per leaf (text, number, date, a choice for enums, "long-term" for a date that
 * may be null), the schema's description as help, and the server's field error shown next to the
 * field it names (error.field, e.g. `holder.idNumber`). A new type needs no page change.
 */
import { clear, currentLang, h, t, tOr } from './common';

export interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  format?: string;
  description?: string;
  title?: string;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
}

interface Leaf {
  path: string;
  read(): unknown;
  write(value: unknown): void;
  control: HTMLElement;
  error: HTMLElement;
}

export interface SchemaForm {
  element: HTMLElement;
  /** The request body the form describes. */
  value(): Record<string, unknown>;
  fill(example: unknown): void;
  /** Shows the error next to `field` and focuses it; false when no control has that path. */
  showError(field: string, message: string): boolean;
  clearErrors(): void;
}

/** Which fields carry a check digit, and the message that explains it. */
const CHECK_DIGIT_HELP: Record<string, 'help.checkDigit.idNumber' | 'help.checkDigit.creditCode'> = {
  'holder.idNumber': 'help.checkDigit.idNumber',
  'holder.creditCode': 'help.checkDigit.creditCode',
};

function controlId(prefix: string, path: string): string {
  return `${prefix}-${path.replace(/[^A-Za-z0-9]/g, '-')}`;
}

/** The description's part in the reader's language: descriptions read "中文 English…". */
function helpText(schema: JsonSchema): string {
  const description = schema.description ?? '';
  const match = /^([^\x20-\x7e]+)\s+(.*)$/.exec(description);
  if (!match) return description;
  return currentLang() === 'en' ? (match[2] ?? description) : description;
}

function isNullableDate(schema: JsonSchema): boolean {
  return Array.isArray(schema.anyOf) && schema.anyOf.some((option) => option.type === 'null');
}

function leafControl(
  schema: JsonSchema,
  id: string,
  describedBy: string,
): { control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement; numeric: boolean } {
  if (Array.isArray(schema.enum)) {
    const select = h('select', { id, name: id, 'aria-describedby': describedBy }, h('option', { value: '' }, t('form.choose')));
    for (const option of schema.enum) select.append(h('option', { value: String(option) }, tOr(`enum.${String(option)}`, String(option))));
    return { control: select, numeric: false };
  }
  if (schema.type === 'number' || schema.type === 'integer') {
    return { control: h('input', { id, name: id, type: 'number', step: 'any', inputmode: 'decimal', 'aria-describedby': describedBy }), numeric: true };
  }
  if (schema.format === 'date' || isNullableDate(schema))
    return { control: h('input', { id, name: id, type: 'date', 'aria-describedby': describedBy }), numeric: false };
  if ((schema.maxLength ?? 0) > 100) return { control: h('textarea', { id, name: id, rows: 3, 'aria-describedby': describedBy }), numeric: false };
  return { control: h('input', { id, name: id, type: 'text', autocomplete: 'off', 'aria-describedby': describedBy }), numeric: false };
}

function buildLeaf(schema: JsonSchema, path: string, prefix: string, required: boolean): Leaf {
  const id = controlId(prefix, path);
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const { control, numeric } = leafControl(schema, id, `${helpId} ${errorId}`);
  if (required) control.setAttribute('required', '');
  const error = h('p', { class: 'field-error hidden', id: errorId });
  const checkDigit = CHECK_DIGIT_HELP[path];
  const help = h('p', { class: 'help', id: helpId }, helpText(schema), checkDigit ? h('span', { class: 'check-digit' }, ' ', t(checkDigit)) : null);
  let longTerm: HTMLInputElement | null = null;
  const parts: HTMLElement[] = [h('label', { for: id }, tOr(`field.${path}`, path)), control];
  if (isNullableDate(schema)) {
    longTerm = h('input', { type: 'checkbox', id: `${id}-long` });
    const box = longTerm;
    box.addEventListener('change', () => {
      control.disabled = box.checked;
    });
    parts.push(h('label', { class: 'check', for: `${id}-long` }, box, t('form.longTerm')));
  }
  const wrapper = h('div', { class: 'field', 'data-path': path }, ...parts, help, error);
  return {
    path,
    control: wrapper,
    error,
    read: () => {
      if (longTerm?.checked) return null;
      const raw = control.value.trim();
      if (numeric) return raw === '' ? undefined : Number(raw);
      return raw === '' && longTerm ? null : raw;
    },
    write: (value) => {
      if (longTerm) {
        longTerm.checked = value === null;
        control.disabled = value === null;
      }
      control.value = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
    },
  };
}

function walk(schema: JsonSchema, path: string, prefix: string, leaves: Leaf[], required: boolean): HTMLElement | null {
  if (schema.const !== undefined) return null;
  if (schema.type === 'object' && schema.properties) {
    const fields = Object.entries(schema.properties).map(([name, child]) =>
      walk(child, path ? `${path}.${name}` : name, prefix, leaves, (schema.required ?? []).includes(name)),
    );
    if (!path) return h('div', {}, ...fields);
    return h('fieldset', {}, h('legend', {}, tOr(`group.${path}`, path)), ...fields);
  }
  const leaf = buildLeaf(schema, path, prefix, required);
  leaves.push(leaf);
  return leaf.control;
}

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const names = path.split('.');
  let node = target;
  names.slice(0, -1).forEach((name) => {
    const next = node[name];
    node = (typeof next === 'object' && next !== null ? next : (node[name] = {})) as Record<string, unknown>;
  });
  const last = names[names.length - 1];
  if (last !== undefined && value !== undefined) node[last] = value;
}

function getAt(source: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (node, name) => (typeof node === 'object' && node !== null && Object.hasOwn(node, name) ? (node as Record<string, unknown>)[name] : undefined),
      source,
    );
}

export function schemaForm(schema: JsonSchema, prefix: string): SchemaForm {
  const leaves: Leaf[] = [];
  const body = walk(schema, '', prefix, leaves, true) ?? h('div');
  const constant = schema.properties?.type?.const;
  const clearErrors = () => {
    for (const leaf of leaves) {
      leaf.error.classList.add('hidden');
      clear(leaf.error);
      leaf.control.querySelector('[aria-invalid]')?.removeAttribute('aria-invalid');
    }
  };
  return {
    element: body,
    value: () => {
      const result: Record<string, unknown> = constant === undefined ? {} : { type: constant };
      for (const leaf of leaves) setAt(result, leaf.path, leaf.read());
      return result;
    },
    fill: (example) => {
      for (const leaf of leaves) leaf.write(getAt(example, leaf.path));
    },
    showError: (field, message) => {
      const leaf = leaves.find((candidate) => candidate.path === field) ?? leaves.find((candidate) => field.startsWith(`${candidate.path}.`));
      if (!leaf) return false;
      leaf.error.textContent = message;
      leaf.error.classList.remove('hidden');
      const control = leaf.control.querySelector<HTMLElement>('input, select, textarea');
      control?.setAttribute('aria-invalid', 'true');
      control?.focus();
      return true;
    },
    clearErrors,
  };
}
