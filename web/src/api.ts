// The HTTP client: every call carries the session's token and unwraps the server's envelope
// {"status","message","data","meta"}. Failures become ApiError with the server's own message,
// so pages can show exactly what the server said.

const TOKEN_KEY = 'cohort.token';

// The API token lives in sessionStorage only: it is gone when the tab closes.
export const session = {
  token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  signIn(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  signOut(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number, // HTTP status; 0 when the server could not be reached
    readonly requestId?: string,
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  // Language errors (queries, audiences) carry a position.
  get line(): number | undefined {
    return num(this.body?.line);
  }
  get column(): number | undefined {
    return num(this.body?.column);
  }
  // The API route does not exist on this server (yet).
  get notFound(): boolean {
    return this.status === 404;
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

export interface Envelope<T> {
  data: T;
  meta?: Record<string, any>;
  message?: string;
}

type Body = string | object | undefined;

// Called when the server rejects the session's token (401) on an API call.
let onUnauthorized: (message: string) => void = () => {};
export function setUnauthorizedHandler(fn: (message: string) => void): void {
  onUnauthorized = fn;
}

export interface CallOptions {
  token?: string; // use this token instead of the session's (sign-in check)
  quiet401?: boolean; // do not sign out on 401
  signal?: AbortSignal;
}

export async function call<T = any>(method: string, path: string, body?: Body, opts: CallOptions = {}): Promise<Envelope<T>> {
  const res = await send(method, path, body, opts);
  const text = await res.text();
  let parsed: any = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const message =
      parsed && typeof parsed.message === 'string' && parsed.message
        ? parsed.message
        : `the server answered ${res.status} ${res.statusText}`.trim();
    const err = new ApiError(message, res.status, parsed?.request_id ?? res.headers.get('x-request-id') ?? undefined, parsed);
    if (res.status === 401 && !opts.quiet401 && !opts.token) onUnauthorized(message);
    throw err;
  }
  if (!parsed || typeof parsed !== 'object') {
    throw new ApiError(`the server sent something that is not JSON for ${method} ${path}`, res.status);
  }
  return { data: parsed.data as T, meta: parsed.meta, message: parsed.message };
}

// GET returning data only.
export async function get<T = any>(path: string, opts?: CallOptions): Promise<T> {
  return (await call<T>('GET', path, undefined, opts)).data;
}

// Raw response (exports).
export async function send(method: string, path: string, body?: Body, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = opts.token ?? session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (typeof body === 'string') {
    payload = body;
    headers['Content-Type'] = 'text/plain; charset=utf-8';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  try {
    return await fetch(path, { method, headers, body: payload, signal: opts.signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(`cannot reach the Cohort server (${(e as Error).message}); check that it is running`, 0);
  }
}

export function enc(s: string): string {
  return encodeURIComponent(s);
}

// ---- Shapes of the API's data (SPEC §2) ----

export interface Token {
  id: string;
  name: string;
  role: 'admin' | 'read' | 'collect' | string;
  created?: string;
  token?: string; // only in the answer to POST /api/token
}

export interface StreamInfo {
  name: string;
  event_count: number;
  first_received?: string;
  last_received?: string;
  bytes?: number;
  duplicate_count?: number;
  rejected_count?: number;
  unmapped_count?: number;
  timestamp_fallback_count?: number;
  fields?: { name: string; count: number; samples: unknown[] }[];
}

export interface StreamEvent {
  seq: number;
  received_at: string;
  event_time?: string;
  event: Record<string, unknown>;
}

export interface StreamConfig {
  stream?: string;
  signing_key_set?: boolean;
  id_field?: string;
  timestamp_field?: string;
}

export interface SchemaField {
  name: string;
  kind: string;
  mergeop?: string;
  shortdesc?: string;
  longdesc?: string;
  is_identity?: boolean;
  queries?: string[];
  profile_count?: number;
}

export interface QueryInfo {
  alias: string;
  from: string;
  into: string;
  by: string[];
  fields: { name: string; kind: string; mergeop: string; shortdesc?: string; is_identity?: boolean }[];
  text: string;
  job_id?: string;
}

export interface Job {
  id: string;
  kind?: string;
  status: 'running' | 'completed' | 'failed' | string;
  reason?: string;
  error?: string;
  progress?: { done: number; total: number };
  log?: string[];
  started?: string;
  finished?: string | null;
  integration?: string;
  workflow?: string;
}

export interface WorkflowOption {
  id: string;
  label: string;
  type?: string;
  required?: boolean;
}

export interface WorkflowDef {
  id: string;
  name: string;
  description?: string;
  options?: WorkflowOption[];
}

export interface Integration {
  id: string;
  name: string;
  description?: string;
  webhook_url_template?: string;
  webhook_path?: string;
  setup_steps?: string[];
  signing_key?: unknown;
  workflows?: WorkflowDef[];
}

export interface Segment {
  name?: string;
  slug: string;
  segment_ql?: string;
  description?: string;
  size?: number;
  webhook?: { url?: string; secret_set?: boolean; state?: string; [k: string]: unknown } | null;
  [k: string]: unknown;
}

export interface SegmentChange {
  cursor?: string | number;
  profile?: string;
  email?: string;
  change: 'enter' | 'exit' | string;
  at: string;
  reason?: string;
}

export type Profile = Record<string, unknown> & { _segments?: string[] };
