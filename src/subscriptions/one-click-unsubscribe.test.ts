import { describe, expect, it } from 'vitest';
import { isOneClick } from './one-click-unsubscribe.js';

const multipart = (disposition: string, value = 'One-Click') => ({
  multipart: `--b0\r\nContent-Disposition: ${disposition}\r\n\r\n${value}\r\n--b0--\r\n`,
});

describe('isOneClick', () => {
  it.each([
    ['a form field', { 'List-Unsubscribe': 'One-Click' }, true],
    ['multipart with a quoted name', multipart('form-data; name="List-Unsubscribe"'), true],
    ['multipart with an unquoted name', multipart('form-data; name=List-Unsubscribe'), true],
    ['multipart with extra parameters', multipart('form-data; filename="x"; name="List-Unsubscribe"'), true],
    [
      'multipart with LF line ends',
      { multipart: '--b\nContent-Disposition: form-data; name=List-Unsubscribe\n\nOne-Click\n--b--\n' },
      true,
    ],
    ['multipart naming another field', multipart('form-data; name=List-Unsubscribe-Other'), false],
    ['multipart with another value', multipart('form-data; name=List-Unsubscribe', 'Yes'), false],
    ['an empty form', {}, false],
    ['no body', undefined, false],
  ])('%s → %s', (_name, body, expected) => {
    expect(isOneClick(body)).toBe(expected);
  });
});
