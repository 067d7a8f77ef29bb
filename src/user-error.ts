// A mistake a person made (bad note, bad form field, bad CSV row): the message is for them, and says where.
export class UserError extends Error {
  readonly where: string | undefined;

  constructor(message: string, where?: string) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'UserError';
    this.where = where;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
