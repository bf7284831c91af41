/**
 * Domain errors: services throw these, and the HTTP layer turns each into problem+json with its
 * status (see `http/error-handler.ts`). The bot turns them into polite replies.
 */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    /** The HTTP status this error answers with. */
    readonly status: number,
    message: string,
    /** A stable machine-readable code, e.g. `session_revoked`. */
    readonly code?: string,
    /** Field problems, for 422s: `[{ field, message }]`. */
    readonly errors?: { field: string; message: string }[],
  ) {
    super(message);
  }
}

/** 401: not signed in, or the credentials are bad. */
export class Unauthorized extends DomainError {
  constructor(message = 'Sign-in required', code = 'unauthorized') {
    super(401, message, code);
  }
}

/** 403: signed in but not allowed (or blocked). */
export class Forbidden extends DomainError {
  constructor(message = 'Not allowed', code = 'forbidden') {
    super(403, message, code);
  }
}

/** 404: not found, or not yours to see. */
export class NotFound extends DomainError {
  constructor(message = 'Not found', code = 'not_found') {
    super(404, message, code);
  }
}

/** 409: the change conflicts with the current state. */
export class Conflict extends DomainError {
  constructor(message: string, code = 'conflict') {
    super(409, message, code);
  }
}

/** 422: the request is well-formed but its fields are invalid. */
export class Invalid extends DomainError {
  constructor(message: string, errors: { field: string; message: string }[] = []) {
    super(422, message, 'invalid', errors);
  }
}
