// The builder's collected problems: each names the file and object it is about, when it has them.

import type { Source } from './decoded.js';
import type { InputIssue } from '../input/problems.js';

export class Issues {
  readonly list: InputIssue[] = [];
  add(source: Source | undefined, object: string | undefined, path: string, message: string): void {
    this.list.push({ ...(source === undefined ? {} : { file: source.file }), ...(object === undefined ? {} : { object }), path, message });
  }
}

export const objectName = (kind: string, o: { namespace?: string; name: string }): string =>
  o.namespace === undefined ? `${kind} ${o.name}` : `${kind} ${o.namespace}/${o.name}`;
