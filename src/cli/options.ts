// Commander option parsers shared by the commands.

import { InvalidArgumentError } from 'commander';

export const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const integerOption =
  (name: string) =>
  (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} expects a whole number >= 0, got "${value}"`);
    return Number(value);
  };
