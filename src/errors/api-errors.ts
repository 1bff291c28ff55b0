/**
 * The error classes app code throws (docs/hooks.md §2), named as PocketBase's JS
 * API names them. Each is an AppError: the error handler answers its status and
 * message in the shape of docs/api.md §1.3.
 */
import { AppError, type ErrorData } from './app-error.js';

/** An error with any status: `new ApiError(409, 'Already paid.', data)`. */
export class ApiError extends AppError {
  constructor(status: number, message: string, data: ErrorData = {}) {
    super(status, message, data);
    this.name = 'ApiError';
  }
}

/** 400 Bad Request. */
export class BadRequestError extends ApiError {
  constructor(message = 'Something went wrong while processing your request.', data: ErrorData = {}) {
    super(400, message, data);
    this.name = 'BadRequestError';
  }
}

/** 401 Unauthorized. */
export class UnauthorizedError extends ApiError {
  constructor(message = 'Missing or invalid authentication.', data: ErrorData = {}) {
    super(401, message, data);
    this.name = 'UnauthorizedError';
  }
}

/** 403 Forbidden. */
export class ForbiddenError extends ApiError {
  constructor(message = 'You are not allowed to perform this request.', data: ErrorData = {}) {
    super(403, message, data);
    this.name = 'ForbiddenError';
  }
}

/** 404 Not Found. */
export class NotFoundError extends ApiError {
  constructor(message = "The requested resource wasn't found.", data: ErrorData = {}) {
    super(404, message, data);
    this.name = 'NotFoundError';
  }
}

/** 429 Too Many Requests. */
export class TooManyRequestsError extends ApiError {
  constructor(message = 'Too Many Requests.', data: ErrorData = {}) {
    super(429, message, data);
    this.name = 'TooManyRequestsError';
  }
}
