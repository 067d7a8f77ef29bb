import { describe, expect, it } from 'vitest';
import { classifyReply, enhancedStatusOf, type ReplyClass, type ReplyStage } from './reply-class.js';

describe('judging a relay reply', () => {
  const cases: [string, ReplyStage, number | undefined, string | undefined, ReplyClass][] = [
    ['no such user at RCPT', 'rcpt', 550, '5.1.1', 'hard-bounce'],
    ['a bare 550 at RCPT', 'rcpt', 550, undefined, 'hard-bounce'],
    ['a disabled mailbox after the body', 'message', 550, '5.2.1', 'hard-bounce'],
    ['a bad address after the body', 'message', 554, '5.1.10', 'hard-bounce'],
    ['a wrong password', 'auth', 535, '5.7.8', 'sender'],
    ['a refused sender', 'mail', 550, undefined, 'sender'],
    ['a refused greeting', 'greeting', 554, undefined, 'sender'],
    ['relaying denied at RCPT', 'rcpt', 554, '5.7.1', 'sender'],
    ['DMARC at RCPT', 'rcpt', 550, '5.7.26', 'sender'],
    ['a routing failure', 'rcpt', 550, '5.4.4', 'sender'],
    ['a bare 554 after the body (content)', 'message', 554, undefined, 'sender'],
    ['a message too large', 'message', 552, '5.3.4', 'sender'],
    ['a full mailbox', 'rcpt', 552, '5.2.2', 'transient'],
    ['greylisting', 'rcpt', 451, '4.7.1', 'transient'],
    ['a closing relay', 'mail', 421, undefined, 'transient'],
    ['a dropped connection', 'message', undefined, undefined, 'transient'],
  ];
  it.each(cases)('%s is %5$s', (_name, stage, code, enhanced, expected) => {
    expect(classifyReply(stage, code, enhanced)).toBe(expected);
  });

  it('reads the enhanced status at the start of a reply text only', () => {
    expect(enhancedStatusOf('5.1.1 <x>: Recipient address rejected')).toBe('5.1.1');
    expect(enhancedStatusOf('Recipient rejected (see 5.1.1)')).toBeUndefined();
    expect(enhancedStatusOf(undefined)).toBeUndefined();
  });
});
