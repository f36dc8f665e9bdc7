// One typed client per actor, and the checks the flow makes on each answer.
// Everything here is typed by the generated `paths`: a path, parameter or
// body field the spec does not have fails `tsc`, not the run.

import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema.js";

export type Api = Client<paths>;

/** A client for `baseUrl`, authenticated with `accessToken` when given. */
export function connect(baseUrl: string, accessToken?: string): Api {
  // Problems' titles and field messages in English (`fr` for French).
  const headers: Record<string, string> = { "Accept-Language": "en" };
  if (accessToken !== undefined) {
    headers["Authorization"] = `Bearer ${accessToken}`;
  }
  // List filters that take several values are comma-separated
  // (`status=open,closed`), as the spec's `explode: false` says.
  return createClient<paths>({
    baseUrl,
    headers,
    querySerializer: { array: { style: "form", explode: false } },
  });
}

/** What an openapi-fetch call resolves to: the body of a documented success
 * (`data`) or of a documented problem (`error`), and the raw response. */
interface Answer<Data, Problem> {
  data?: Data;
  error?: Problem;
  response: Response;
}

/** The flow stops at the first answer or value it did not expect. */
export class Unexpected extends Error {
  override name = "Unexpected";
}

/** The body of `call`, which must answer `status`; anything else (another
 * status, a problem, no body) stops the flow with what the server said. */
export async function expectStatus<Data, Problem>(
  what: string,
  status: number,
  call: Promise<Answer<Data, Problem>>,
): Promise<Data> {
  const { data, error, response } = await call;
  if (response.status !== status || data === undefined) {
    const body = JSON.stringify(error ?? data ?? null);
    const id = response.headers.get("X-Request-Id") ?? "none";
    throw new Unexpected(
      `${what}: expected ${status}, got ${response.status} (X-Request-Id ${id}): ${body}`,
    );
  }
  return data;
}

/** One page of a collection: every list answers this shape. */
export interface Page<Item> {
  items: Item[];
  next_cursor?: string | null;
}

/** Where a page starts: no `cursor` for the first, then the previous
 * page's `next_cursor`. Spread it into the call's query parameters. */
export interface After {
  cursor?: string;
}

/** Every item of a list, read a page at a time: `page` fetches the page
 * `after` says, until `next_cursor` is null. */
export async function allPages<Item, Problem>(
  what: string,
  page: (after: After) => Promise<Answer<Page<Item>, Problem>>,
): Promise<Item[]> {
  const items: Item[] = [];
  let after: After = {};
  for (let n = 1; ; n++) {
    const body = await expectStatus(`${what} (page ${n})`, 200, page(after));
    items.push(...body.items);
    if (body.next_cursor === null || body.next_cursor === undefined) {
      return items;
    }
    after = { cursor: body.next_cursor };
  }
}

/** The problem document of `call`, which must be refused with `status` and
 * `code` (a code the spec does not list fails `tsc`). */
export async function expectProblem<Data, Problem extends { code: string }>(
  what: string,
  status: number,
  code: NoInfer<Problem["code"]>,
  call: Promise<Answer<Data, Problem>>,
): Promise<Problem> {
  const { error, response } = await call;
  if (response.status !== status || error === undefined || error.code !== code) {
    throw new Unexpected(
      `${what}: expected ${status} ${code}, got ${response.status}: ${JSON.stringify(error ?? null)}`,
    );
  }
  return error;
}

/** Stops the flow unless `actual` is `expected`. `expected` takes the type of
 * `actual`, so a value its enum does not have fails `tsc`. */
export function expectEqual<T>(what: string, actual: T, expected: NoInfer<T>): void {
  if (actual !== expected) {
    throw new Unexpected(
      `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
  }
}

/** `value`, which must be there (a nullable or optional field of the spec
 * that this step of the flow must have). */
export function present<T>(what: string, value: T | null | undefined): T {
  if (value === null || value === undefined) {
    throw new Unexpected(`${what}: missing`);
  }
  return value;
}
