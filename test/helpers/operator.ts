/** Test helper: the operator routes of a running server over real HTTP, with its bearer token. */
import type { Verdict } from '../../shared/core/verdict.js';

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ErrorAnswerBody {
  error: { code: string; message: string };
}

export interface Operator {
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
  screen(body: Record<string, unknown>, headers?: Record<string, string>): Promise<Verdict>;
}

/** A client of `url` that sends `Authorization: Bearer <token>` and JSON bodies (a string body is sent as is). */
export const operator = (url: string, token: string): Operator => {
  const request = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    request,
    screen: async (body, headers) => {
      const answer = await request<Verdict>('POST', '/screen', body, headers);
      if (answer.status !== 200)
        throw new Error(`/screen answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
  };
};
