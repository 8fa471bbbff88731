// kubectl's `-l` label selectors, parsed and matched as k8s.io/apimachinery/pkg/labels does
// (selector.go): comma-separated requirements, each `key`, `!key`, `key=value`, `key==value`,
// `key!=value`, `key in (a,b)`, `key notin (a,b)`, `key>N` or `key<N`.

import type { Labels } from '../cluster/model.js';

export type SelectorOperator = 'exists' | 'notExists' | 'equals' | 'notEquals' | 'in' | 'notIn' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** Every requirement must hold; the empty selector selects everything. */
export type LabelSelector = readonly Requirement[];

export type ParsedSelector = { readonly ok: true; readonly selector: LabelSelector } | { readonly ok: false; readonly message: string };

// validation.IsQualifiedName and IsValidLabelValue, without their length limits' wording.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function validKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return key.length <= 63 && NAME.test(key);
  const prefix = key.slice(0, slash);
  const name = key.slice(slash + 1);
  return prefix.length <= 253 && PREFIX.test(prefix) && name.length <= 63 && NAME.test(name);
}

const validValue = (value: string): boolean => value.length <= 63 && VALUE.test(value);

type Token = { readonly kind: 'word'; readonly text: string } | { readonly kind: 'op'; readonly text: '!' | '=' | '==' | '!=' | '(' | ')' | ',' | '<' | '>' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '=' || c === '!') {
      const two = text.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        tokens.push({ kind: 'op', text: two });
        i += 2;
      } else {
        tokens.push({ kind: 'op', text: c });
        i++;
      }
    } else if (c === '(' || c === ')' || c === ',' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', text: c });
      i++;
    } else {
      let j = i;
      while (j < text.length && !' \t=!(),<>'.includes(text[j])) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private next(): Token | undefined {
    return this.tokens[this.at++];
  }

  private isOp(token: Token | undefined, text: string): boolean {
    return token?.kind === 'op' && token.text === text;
  }

  selector(): Requirement[] {
    const out: Requirement[] = [];
    if (this.peek() === undefined) return out;
    for (;;) {
      out.push(this.requirement());
      const token = this.next();
      if (token === undefined) return out;
      if (!this.isOp(token, ',')) throw new Error(`found '${token.text}', expected: ','`);
    }
  }

  private key(): string {
    const token = this.next();
    if (token?.kind !== 'word') throw new Error(`found '${token?.text ?? ''}', expected: identifier`);
    if (!validKey(token.text)) throw new Error(`invalid label key "${token.text}": expected a name of letters, digits, '-', '_' or '.', optionally prefixed by a DNS subdomain and '/'`);
    return token.text;
  }

  private value(): string {
    const token = this.peek();
    // `key=` selects the empty value.
    if (token === undefined || this.isOp(token, ',') || this.isOp(token, ')')) return '';
    this.at++;
    if (token.kind !== 'word') throw new Error(`found '${token.text}', expected: identifier`);
    if (!validValue(token.text)) throw new Error(`invalid label value "${token.text}": expected at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    return token.text;
  }

  private requirement(): Requirement {
    if (this.isOp(this.peek(), '!')) {
      this.at++;
      return { key: this.key(), operator: 'notExists', values: [] };
    }
    const key = this.key();
    const token = this.peek();
    if (token === undefined || this.isOp(token, ',')) return { key, operator: 'exists', values: [] };
    this.at++;
    if (token.kind === 'word' && (token.text === 'in' || token.text === 'notin')) return { key, operator: token.text === 'in' ? 'in' : 'notIn', values: this.set() };
    switch (token.text) {
      case '=':
      case '==':
        return { key, operator: 'equals', values: [this.value()] };
      case '!=':
        return { key, operator: 'notEquals', values: [this.value()] };
      case '<':
      case '>': {
        const value = this.value();
        if (!/^-?\d+$/.test(value)) throw new Error(`for '${token.text}' operator, the value must be an integer, not "${value}"`);
        return { key, operator: token.text === '<' ? 'lt' : 'gt', values: [value] };
      }
      default:
        throw new Error(`found '${token.text}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private set(): string[] {
    if (!this.isOp(this.next(), '(')) throw new Error("expected '(' after in or notin");
    const values: string[] = [];
    for (;;) {
      values.push(this.value());
      const token = this.next();
      if (this.isOp(token, ')')) break;
      if (!this.isOp(token, ',')) throw new Error(`found '${token?.text ?? 'end of selector'}', expected: ',' or ')'`);
    }
    // `in ()` parses as one empty value; the API refuses an empty set.
    if (values.length === 1 && values[0] === '') throw new Error('for in and notin operators, the set of values must not be empty');
    return values;
  }
}

export function parseLabelSelector(text: string): ParsedSelector {
  try {
    return { ok: true, selector: new Parser(tokenize(text)).selector() };
  } catch (error) {
    return { ok: false, message: `unable to parse requirement: ${(error as Error).message}` };
  }
}

function holds(r: Requirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'exists':
      return has;
    case 'notExists':
      return !has;
    case 'equals':
    case 'in':
      return has && r.values.includes(value);
    // A missing key satisfies != and notin (selector.go Requirement.Matches).
    case 'notEquals':
    case 'notIn':
      return !has || !r.values.includes(value);
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value)) return false;
      const n = Number(value);
      const bound = Number(r.values[0]);
      return r.operator === 'gt' ? n > bound : n < bound;
    }
  }
}

export const matchesLabelSelector = (selector: LabelSelector, labels: Labels): boolean => selector.every((r) => holds(r, labels));
