// What this process answered since its last flush: the request path's share of the availability
// budget. Apart from request-minutes.ts, which writes it to the database, so that the server that
// answers before the database is open does not load the query builder.

export class RequestTally {
  requests = 0;
  serverErrors = 0;

  /** A page from memory: never a server error. */
  page(): void {
    this.requests += 1;
  }

  answered(status: number): void {
    this.requests += 1;
    if (status >= 500) this.serverErrors += 1;
  }
}
