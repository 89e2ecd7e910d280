import corsMiddleware, { type CorsOptions } from 'cors';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsSettings } from '../gateway-config.js';
import type { EdgePolicy } from './edge-policy.js';

type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * CORS with the `cors` package. Its options are chosen per request: a listed
 * origin gets them (echoed back, so credentials work), any other gets
 * `origin: false`, for which `cors` sets no header at all. Preflights are
 * answered here (204) and never reach a route; a preflight from an origin not
 * listed is answered too, without CORS headers, so the browser refuses the call.
 */
export function corsPolicy(settings: CorsSettings): EdgePolicy {
  const anyOrigin = settings.allowOrigins.includes('*');
  const allowed = new Set(settings.allowOrigins);
  const options: CorsOptions = {
    methods: [...settings.allowMethods],
    allowedHeaders: [...settings.allowHeaders],
    exposedHeaders: [...settings.exposeHeaders],
    credentials: settings.allowCredentials,
    maxAge: Math.floor(settings.maxAgeMs / 1000),
    preflightContinue: false,
    optionsSuccessStatus: 204,
  };
  const middleware = corsMiddleware((request, callback) => {
    const origin = request.headers.origin;
    const listed = origin !== undefined && (anyOrigin || allowed.has(origin));
    // "*" with credentials is refused by browsers: then the origin is echoed instead.
    callback(null, listed ? { ...options, origin: anyOrigin && !settings.allowCredentials ? '*' : origin } : { origin: false });
  }) as Middleware;
  return {
    apply: ({ exchange }) => {
      const { request, response } = exchange;
      const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
      return new Promise((resolve, reject) => {
        // `cors` ends a preflight it answers without calling next.
        response.once('finish', () => resolve('answered'));
        middleware(request, response, (error) => {
          if (error !== undefined) return reject(error);
          if (!preflight) return resolve();
          response.writeHead(204, { 'content-length': '0', 'x-request-id': exchange.requestId });
          response.end();
        });
      });
    },
  };
}
