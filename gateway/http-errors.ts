import type { ErrorRequestHandler } from 'express';
import { errorBody, ErrorCode, INTERNAL_MESSAGE } from '../subgraphs/kit/errors';
import type { Logger } from '../subgraphs/kit/logger';

/**
 * Errors raised before GraphQL runs (body parsing) answered as GraphQL-shaped JSON, never
 * express's default HTML page (which carries a stack trace outside production).
 */
export function bodyErrorHandler(log: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (err: { type?: unknown; status?: unknown }, _req, res, next) => {
    if (res.headersSent) return next(err);
    const requestId = res.getHeader('x-request-id') as string | undefined;
    const status = typeof err.status === 'number' ? err.status : 500;
    if (err.type === 'entity.too.large') {
      res
        .status(413)
        .json(errorBody(ErrorCode.PAYLOAD_TOO_LARGE, `Request body: must be at most ${maxBodyBytes} bytes`, requestId));
    } else if (err.type === 'entity.parse.failed') {
      res.status(400).json(errorBody(ErrorCode.BAD_REQUEST, 'Request body: must be valid JSON', requestId));
    } else if (status >= 400 && status < 500) {
      res
        .status(status)
        .json(
          errorBody(
            ErrorCode.BAD_REQUEST,
            'Request body: cannot be read (check Content-Type, charset and encoding)',
            requestId,
          ),
        );
    } else {
      log.error({ requestId, err }, 'request failed before GraphQL');
      res.status(500).json(errorBody(ErrorCode.INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE, requestId));
    }
  };
}
