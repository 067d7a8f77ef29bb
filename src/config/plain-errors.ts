// zod's default messages ("Invalid input: expected object, received string", "Too big: expected number to
// be <=65535") in plain words, for every setting and field that has no message of its own.
import type { z } from 'zod';

const kinds: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  date: 'a date such as 2026-11-20',
  array: 'a list',
  object: 'a group of indented fields',
};

const formats: Record<string, string> = {
  url: 'a URL such as https://example.com',
  email: 'an e-mail address',
};

export const plainErrors: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${kinds[issue.expected] ?? issue.expected}`;
    case 'too_small':
    case 'too_big': {
      const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const least = issue.code === 'too_small';
      if (issue.origin === 'array') {
        const entries = limit === 1 ? 'entry' : 'entries';
        return least ? `needs at least ${limit} ${entries}` : `has room for at most ${limit} ${entries}`;
      }
      if (issue.origin === 'string') {
        if (least && limit === 1) return 'must not be empty';
        return `must be at ${least ? 'least' : 'most'} ${limit} characters`;
      }
      return `must be at ${least ? 'least' : 'most'} ${limit}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return `must be ${formats[issue.format] ?? `in the right form (${issue.format})`}`;
    default:
      return 'is not valid here';
  }
};
