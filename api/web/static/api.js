// The REST API as the pages use it. Tokens live in this module's memory only: never in
// storage, a cookie or a URL. The access token is refreshed shortly before it expires, and once
// more when an answer says it has expired; a refresh the server refuses ends the session, one
// the network lost is tried again.

const PREFIX = "/api/v1";

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.detail || problem.title || String(status));
    this.status = status;
    this.code = problem.code || "http_" + status;
    this.detail = problem.detail || "";
    this.retryAfter = retryAfter;
  }
}

const EXPIRED = new Set(["token_expired", "session_revoked", "invalid_refresh_token",
  "refresh_token_reused"]);

export class Api extends EventTarget {
  #access = null;
  #refresh = null;
  #timer = null;
  #refreshing = null;
  #leaving = false;

  get signedIn() {
    return this.#access !== null;
  }

  get accessToken() {
    return this.#access;
  }

  async request(method, path, body, { auth = true, retried = false } = {}) {
    const headers = { Accept: "application/json, application/problem+json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth && this.#access) headers.Authorization = "Bearer " + this.#access;
    let response;
    try {
      response = await fetch(PREFIX + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
        // An answer that never comes is a network error, not a page that waits forever.
        signal: AbortSignal.timeout(30000),
      });
    } catch {
      throw new ApiError(0, { code: "network_error" }, null);
    }
    if (response.ok) {
      return response.status === 204 ? null : response.json();
    }
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      problem = {};
    }
    const error = new ApiError(response.status, problem, retryAfter(response));
    if (response.status === 401 && auth && this.#refresh && !retried && EXPIRED.has(error.code)) {
      if (await this.refresh()) {
        return this.request(method, path, body, { auth, retried: true });
      }
      throw new ApiError(401, { code: "session_expired" }, null);
    }
    if (response.status === 401 && auth && this.#access) {
      this.#end("session_expired");
      throw new ApiError(401, { code: "session_expired" }, null);
    }
    throw error;
  }

  get(path, options) {
    return this.request("GET", path, undefined, options);
  }

  post(path, body, options) {
    return this.request("POST", path, body === undefined ? {} : body, options);
  }

  async signIn(email, password) {
    const pair = await this.request("POST", "/auth/login", { email, password }, { auth: false });
    this.#keep(pair);
    // Only a new user is news: a refresh changes the tokens, not who is signed in.
    this.dispatchEvent(new CustomEvent("session", { detail: { user: pair.user } }));
    return pair.user;
  }

  async register(email, password, fullName, locale) {
    await this.request("POST", "/auth/register",
      { email, password, full_name: fullName || null, locale }, { auth: false });
    return this.signIn(email, password);
  }

  // Ends the session on the server too (refreshing an expired access token first, so the
  // logout reaches it), then here, whatever the server answered. `before` runs first, still
  // signed in (a page releases what it holds); a refusal meanwhile is part of leaving.
  async signOut(before = null) {
    if (!this.#access) return;
    this.#leaving = true;
    try {
      if (before) await before();
      await this.request("POST", "/auth/logout");
    } catch {
      // Nothing more to do: the tokens are forgotten below.
    } finally {
      this.#leaving = false;
    }
    this.#end("signed_out");
  }

  // One refresh at a time: every caller waiting for it gets its outcome.
  refresh() {
    if (!this.#refreshing) {
      this.#refreshing = this.#doRefresh().finally(() => {
        this.#refreshing = null;
      });
    }
    return this.#refreshing;
  }

  async #doRefresh() {
    const token = this.#refresh;
    if (!token) return false;
    try {
      const pair = await this.request("POST", "/auth/refresh",
        { refresh_token: token }, { auth: false });
      if (this.#refresh !== token) return false; // signed out meanwhile: keep nothing
      this.#keep(pair);
      return true;
    } catch (error) {
      if (error.status === 401) {
        this.#end("session_expired");
        return false;
      }
      throw error;
    }
  }

  #keep(pair) {
    this.#access = pair.access_token;
    this.#refresh = pair.refresh_token;
    clearTimeout(this.#timer);
    const seconds = Math.max(5, Math.floor(pair.expires_in * 0.8));
    // A refresh the network lost is tried again soon: within the server's grace for a rotated
    // token (10 s) when the answer was lost on the way back, and as long as it takes when the
    // request never arrived (the token is then still good). An answer lost for longer than the
    // grace makes the retry look like reuse, and the session ends.
    const attempt = (wait, next) => {
      this.#timer = setTimeout(() => this.refresh().catch(() => attempt(next, Math.min(60,
        next * 2))), wait * 1000);
    };
    attempt(seconds, 2);
  }

  #end(reason) {
    if (this.#access === null && this.#refresh === null) return;
    if (this.#leaving) reason = "signed_out";
    this.#access = null;
    this.#refresh = null;
    clearTimeout(this.#timer);
    this.dispatchEvent(new CustomEvent("session", { detail: { user: null, reason } }));
  }
}

function retryAfter(response) {
  const value = Number(response.headers.get("Retry-After"));
  return Number.isFinite(value) && value > 0 ? value : null;
}

// Every page of a cursor-paginated list.
export async function all(api, path) {
  const items = [];
  let cursor = null;
  const join = path.includes("?") ? "&" : "?";
  for (let page = 0; page < 50; page += 1) {
    const answer = await api.get(path + join + "limit=100" + (cursor ? "&cursor=" +
      encodeURIComponent(cursor) : ""));
    items.push(...answer.items);
    cursor = answer.next_cursor;
    if (!cursor) break;
  }
  return items;
}

// fn(), again and again while the API is away or busy (no network, 429, 502-504), after the
// seconds it asked for (Retry-After) or a doubling wait up to 30 s; onWait(error) says so in the
// meantime. Any other answer is fn's.
export async function patiently(fn, onWait) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (![0, 429, 502, 503, 504].includes(error.status)) throw error;
      onWait(error);
      const seconds = Math.min(30, error.retryAfter || 2 ** Math.min(attempt, 4));
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
}
