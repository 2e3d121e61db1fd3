// The typed admin API client. Paths, query parameters, bodies and answers
// come from schema.d.ts, generated from the admin API's OpenAPI document
// (openapi.json, kept equal to the served one by a Go test; schema.d.ts kept
// equal to openapi-typescript's output by client.test.ts).
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export const PREFIX = '/api/v1/admin';

type Strip<P> = P extends `${typeof PREFIX}${infer R}` ? R : never;
type Method = 'get' | 'post' | 'put' | 'delete';
type AdminPath = Strip<keyof paths>;
type Op<P extends AdminPath, M extends Method> = paths[`${typeof PREFIX}${P}`][M];
/** The admin paths that have method M. */
export type PathsWith<M extends Method> = {
  [P in AdminPath]: Op<P, M> extends { responses: unknown } ? P : never;
}[AdminPath];

type Json<R> = R extends { content: { 'application/json': infer T } } ? T : void;
type Answer<O> = O extends { responses: infer R }
  ? R extends { 200: infer A } ? Json<A> : R extends { 201: infer A } ? Json<A> : void
  : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q : never;
type PathOf<O> = O extends { parameters: { path: infer Q } } ? Q : never;
type BodyOf<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;

export type CallOptions<O> = {
  query?: QueryOf<O>;
  path?: PathOf<O>;
  body?: BodyOf<O>;
  signal?: AbortSignal;
};

/** An error the API answered ({"error":{message,type,code,param}}), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
    public code: string | null = null,
    public param: string | null = null,
    public retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Listeners told when the session has ended (any 401 outside sign-in). */
const expiredListeners = new Set<() => void>();
export function onSessionExpired(fn: () => void): () => void {
  expiredListeners.add(fn);
  return () => expiredListeners.delete(fn);
}

export function csrfToken(): string {
  const m = document.cookie.match(/(?:^|;\s*)aigw_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

export function buildPath(path: string, params?: Record<string, unknown>, query?: Record<string, unknown>): string {
  let p = path.replace(/\{([a-z_]+)\}/g, (_, k: string) => {
    const v = params?.[k];
    if (v === undefined || v === null || v === '') throw new Error(`missing path parameter ${k}`);
    return encodeURIComponent(String(v));
  });
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    }
    const s = qs.toString();
    if (s) p += '?' + s;
  }
  return PREFIX + p;
}

async function errorOf(res: Response): Promise<ApiError> {
  const retry = res.headers.get('Retry-After');
  let message = `${res.status} ${res.statusText || 'error'}`;
  let code: string | null = null;
  let param: string | null = null;
  try {
    const body = (await res.json()) as { error?: { message?: string; code?: string | null; param?: string | null } };
    if (body?.error?.message) message = body.error.message;
    code = body?.error?.code ?? null;
    param = body?.error?.param ?? null;
  } catch {
    /* not JSON: keep the status line */
  }
  return new ApiError(res.status, message, code, param, retry ? Number(retry) : null);
}

/** raw sends one request and returns the Response (for CSV downloads and the like). */
export async function raw(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken();
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'The gateway could not be reached. Check your connection and retry.');
  }
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && !url.startsWith(PREFIX + '/auth/')) expiredListeners.forEach((f) => f());
    throw err;
  }
  return res;
}

async function call<T>(method: string, path: string, o: { query?: unknown; path?: unknown; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const url = buildPath(path, o.path as Record<string, unknown>, o.query as Record<string, unknown>);
  const res = await raw(method.toUpperCase(), url, o.body, o.signal);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const api = {
  get: <P extends PathsWith<'get'>>(path: P, o?: CallOptions<Op<P, 'get'>>) => call<Answer<Op<P, 'get'>>>('GET', path, o),
  post: <P extends PathsWith<'post'>>(path: P, o?: CallOptions<Op<P, 'post'>>) => call<Answer<Op<P, 'post'>>>('POST', path, o),
  put: <P extends PathsWith<'put'>>(path: P, o?: CallOptions<Op<P, 'put'>>) => call<Answer<Op<P, 'put'>>>('PUT', path, o),
  del: <P extends PathsWith<'delete'>>(path: P, o?: CallOptions<Op<P, 'delete'>>) => call<Answer<Op<P, 'delete'>>>('DELETE', path, o),
};
