// Time is injected so that scheduling, expiry and rate limits can be tested by moving a clock, not sleeping.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
