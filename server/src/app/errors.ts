/** A domain error with a stable machine-readable code; app/http.ts turns it into problem+json. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly extra: { field?: string; retryAfterSec?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError(`${what}_not_found`, 404, `No such ${what.replace(/_/g, ' ')}`);
export const badInput = (field: string, message: string) => new AppError('invalid_input', 400, `${field}: ${message}`, { field });
export const unauthorized = () => new AppError('unauthorized', 401, 'Sign in to continue');
export const forbidden = (code: string, message: string) => new AppError(code, 403, message);
export const rateLimited = (retryAfterSec: number) =>
  new AppError('rate_limited', 429, `Too many requests; try again in ${retryAfterSec} s`, { retryAfterSec });
