import { describe, expect, it } from 'vitest';
import { mailboxOf } from './mailbox-key.js';

describe('mailboxOf', () => {
  it.each([
    ['lower-cases the local part', 'Reader@example.com', 'reader@example.com'],
    ['strips a +tag', 'reader+news@example.com', 'reader@example.com'],
    ['keeps dots outside gmail', 'first.last@example.com', 'first.last@example.com'],
    ['drops dots at gmail', 'First.Last+x@gmail.com', 'firstlast@gmail.com'],
    ['treats googlemail as gmail', 'first.last@googlemail.com', 'firstlast@gmail.com'],
    ['keeps a local part that starts with +', '+only@example.com', '+only@example.com'],
  ])('%s', (_name, email, mailbox) => {
    expect(mailboxOf(email)).toBe(mailbox);
  });
});
