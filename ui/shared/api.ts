// The consoles' one way to call their role's HTTP API: same origin, credentials from the login form, errors as
// ApiError carrying the API's own message (Marathon's {message, details}, Chronos' text, Mesos' plain text).
import { authorizationHeader, reportUnauthorized } from './auth.tsx';

export interface FieldError { path: string; errors: string[] }

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly details: FieldError[] = [], readonly body: unknown = undefined) {
    super(message);
  }
}

export function withAuth(headers: HeadersInit = {}): Headers {
  const h = new Headers(headers);
  const auth = authorizationHeader();
  if (auth && !h.has('authorization')) h.set('authorization', auth);
  // Marks the call as the console's own: a 401 then comes without a Basic challenge, so the browser shows no
  // popup of its own and the console's sign-in form takes over.
  h.set('x-requested-with', 'XMLHttpRequest');
  return h;
}

/** fetch() with the console's credentials; a 401 opens the login form and still rejects. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(path, { ...init, headers: withAuth(init.headers) });
  if (res.status === 401) reportUnauthorized();
  return res;
}

async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { message?: string; details?: FieldError[] };
    return new ApiError(res.status, body.message ?? `${res.status} ${res.statusText}`, Array.isArray(body.details) ? body.details : [], body);
  } catch {
    return new ApiError(res.status, text.trim() || `${res.status} ${res.statusText}`);
  }
}

/** Calls a JSON API: body objects are sent as JSON; non-2xx answers throw ApiError. */
export async function api<T>(path: string, init: Omit<RequestInit, 'body'> & { body?: unknown } = {}): Promise<T> {
  const { body, ...rest } = init;
  const headers = withAuth(rest.headers);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const res = await apiFetch(path, { ...rest, headers, ...(payload !== undefined ? { body: payload } : {}) });
  if (!res.ok) throw await errorFrom(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
