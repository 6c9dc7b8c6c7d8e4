// Live updates from GET /api/v1/events (Server-Sent Events). EventSource cannot send an
// Authorization header and the token never goes into a URL, so the stream is read with fetch.
// A dropped stream is opened again, resuming from the last event id; the server then replays
// what was missed, or says `reset` when it cannot. The wait before reopening is the server's
// `retry` (or its Retry-After), doubled after each failure in a row up to 30 s, with jitter, so
// a restarted server is not met by every page at the same instant. A refusal that waiting
// cannot mend (a topic the caller may not have) ends the stream: state "closed".

export class LiveStream {
  #api;
  #topics;
  #onEvent;
  #lastId = null;
  #retry = 2000;
  #abort = null;
  #stopped = false;
  #failures = 0;
  #asked = 0;

  constructor(api, topics, onEvent) {
    this.#api = api;
    this.#topics = topics;
    this.#onEvent = onEvent;
    this.state = "connecting";
    this.#run();
  }

  stop() {
    this.#stopped = true;
    if (this.#abort) this.#abort.abort();
  }

  async #run() {
    while (!this.#stopped) {
      let final = false;
      try {
        final = await this.#once();
      } catch {
        // A network error or an aborted read: both end in a reconnect below (or a stop).
      }
      if (this.#stopped) return;
      if (final) return this.#setState("closed");
      this.#setState("reconnecting");
      const base = Math.max(this.#retry, this.#asked * 1000);
      const wait = Math.min(30000, base * 2 ** Math.min(this.#failures, 4));
      this.#failures += 1;
      this.#asked = 0;
      await new Promise((resolve) => setTimeout(resolve, wait * (0.8 + Math.random() * 0.4)));
    }
  }

  #setState(state) {
    this.state = state;
    this.#onEvent({ event: "state", data: { state } });
  }

  async #once() {
    this.#abort = new AbortController();
    const headers = { Accept: "text/event-stream" };
    if (this.#api.accessToken) headers.Authorization = "Bearer " + this.#api.accessToken;
    if (this.#lastId) headers["Last-Event-ID"] = this.#lastId;
    const query = "?topics=" + encodeURIComponent(this.#topics.join(","));
    const response = await fetch("/api/v1/events" + query, {
      headers, signal: this.#abort.signal, cache: "no-store", credentials: "omit",
    });
    if (response.status === 401 && this.#api.signedIn) {
      await this.#api.refresh().catch(() => false);
      return false;
    }
    if (response.status === 429 || response.status >= 500) {
      this.#asked = Number(response.headers.get("Retry-After")) || 0;
      return false;
    }
    if (!response.ok || !response.body) return response.status >= 400;
    this.#failures = 0;
    this.#setState("open");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
        this.#frame(block);
      }
    }
  }

  #frame(block) {
    const frame = { event: "message", data: "" };
    for (const line of block.split(/\r?\n/)) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (name === "data") frame.data += (frame.data ? "\n" : "") + value;
      else if (name === "event") frame.event = value;
      else if (name === "id") frame.id = value;
      else if (name === "retry" && /^\d+$/.test(value)) this.#retry = Number(value);
    }
    if (frame.id) this.#lastId = frame.id;
    if (!frame.data && frame.event === "message") return;
    let data = null;
    try {
      data = frame.data ? JSON.parse(frame.data) : null;
    } catch {
      data = null;
    }
    this.#onEvent({ event: frame.event, id: frame.id, data });
  }
}
