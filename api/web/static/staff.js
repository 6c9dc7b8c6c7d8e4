// The staff day view, /staff: a member signs in and sees today's or this week's bookings per
// provider, confirms or declines pending ones, marks completed or no-show, and adds time off.
// The bookings topic of the live stream keeps it current while it is open.

import { Api, all, patiently } from "./api.js";
import { lang, problemText, t } from "./i18n.js";
import { LiveStream } from "./live.js";
import {
  addDays, authForm, clear, field, formatDay, formatTime, h, instantIn, localDate, say,
  sessionNav, translateShell,
} from "./ui.js";

const api = new Api();
const S = {
  user: null, memberships: null, org: null, providers: [], services: [], bookings: [],
  span: "today", live: null, parts: null,
};
let refreshTimer = null;
let loadRequest = 0;

function message(text, kind = "info") {
  say(document.getElementById("messages"), text, kind);
}

const failed = (error) => message(problemText(error), "error");
const main = () => document.getElementById("main");
const zone = () => S.org.timezone;

function start() {
  document.documentElement.lang = lang();
  api.addEventListener("session", (event) => {
    const was = S.user;
    S.user = event.detail.user;
    if (!S.user) {
      if (S.live) S.live.stop();
      S.live = null;
      S.org = null;
      if (event.detail.reason === "session_expired") message(t("error.session_expired"), "error");
      render();
    } else if (!was) {
      S.memberships = null;
      render();
      enter();
    }
  });
  render();
}

async function enter() {
  try {
    S.memberships = (await patiently(() => api.get("/users/me/memberships"), failed)).items;
  } catch (error) {
    S.memberships = [];
    render();
    failed(error);
    return;
  }
  message("");
  if (S.memberships.length === 0) {
    message(t("staff.notMember"), "error");
    render();
    return;
  }
  await openOrg(S.memberships[0].org_id);
}

async function openOrg(orgId) {
  // Whatever the previous organization still has on its way is dropped when it lands.
  loadRequest += 1;
  if (S.live) S.live.stop();
  S.live = null;
  const membership = S.memberships.find((m) => m.org_id === orgId);
  const org = { id: membership.org_id, name: membership.name, timezone: membership.timezone,
    role: membership.role, providerId: membership.provider_id };
  let providers = [];
  let services = [];
  try {
    [providers, services] = await Promise.all([
      all(api, `/orgs/${orgId}/providers`), all(api, `/orgs/${orgId}/services`),
    ]);
  } catch (error) {
    failed(error);
  }
  if (!S.user) return;
  // A new organization: title, board and form are drawn anew.
  Object.assign(S, { org, providers, services, bookings: [], parts: null });
  S.live = new LiveStream(api, ["bookings"], (event) => {
    if (event.event !== "state") refreshSoon();
    else if (event.data.state === "open") refreshSoon();
  });
  await load();
}

function range() {
  const today = localDate(new Date(), zone());
  return [today, S.span === "today" ? today : addDays(today, 6)];
}

async function load() {
  if (!S.org) return;
  const request = ++loadRequest;
  const [from, to] = range();
  try {
    const items = await all(api, `/bookings?org_id=${S.org.id}&from=${from}&to=${to}`);
    if (request !== loadRequest) return;
    S.bookings = items;
  } catch (error) {
    failed(error);
  }
  renderBoard();
}

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => S.org && load(), 100);
}

function render() {
  translateShell();
  document.title = t("staff.title") + (S.org ? " · " + S.org.name : "");
  document.getElementById("title").textContent = S.org ? S.org.name : t("staff.title");
  sessionNav(S.user, { redraw: render, onSignOut: () => api.signOut() });
  if (!S.user) {
    clear(main(), h("section", { class: "card narrow" }, h("h2", { text: t("auth.signIn") }),
      authForm(api, { onDone: () => message(""), onError: failed, register: false })));
    return;
  }
  if (!S.org) {
    return clear(main(), S.memberships === null ? h("p", { class: "meta", id: "loading",
      text: t("book.loading") }) : null);
  }
  // The form keeps what is being typed while the board redraws with every live update.
  S.parts = { board: h("div", { id: "board" }), form: timeOffForm() };
  clear(main(), controls(), S.parts.board, S.parts.form);
  renderBoard();
}

// The board alone: what a live update or an action changes.
function renderBoard() {
  if (!S.parts || !S.parts.board.isConnected) return render();
  clear(S.parts.board, board());
  // The controls stay (a focused button or an open select with them); only their state moves.
  for (const span of ["today", "week"]) {
    const button = document.getElementById("span-" + span);
    if (button) button.setAttribute("aria-pressed", String(S.span === span));
  }
}

function controls() {
  const bar = h("div", { class: "row controls" });
  if (S.memberships.length > 1) {
    const select = h("select", { id: "org" }, S.memberships.map((m) => h("option", {
      value: m.org_id, selected: m.org_id === S.org.id, text: m.name })));
    select.addEventListener("change", () => openOrg(select.value));
    bar.append(field(t("staff.org"), select));
  }
  for (const span of ["today", "week"]) {
    bar.append(h("button", { type: "button", class: "choice small", id: "span-" + span,
      "aria-pressed": String(S.span === span), text: t("staff." + span),
      onclick: () => { S.span = span; load(); } }));
  }
  return bar;
}

// The providers this member works with: all of them for staff, their own for a provider.
function ownProviders() {
  return S.providers.filter((p) => S.org.role !== "provider" || p.id === S.org.providerId);
}

function board() {
  const booked = new Set(S.bookings.map((b) => b.provider_id));
  const shown = ownProviders().filter((p) => p.active || booked.has(p.id));
  if (shown.length === 0) return h("p", { class: "meta", text: t("staff.none") });
  return h("div", { class: "board" }, shown.map((p) => {
    const mine = S.bookings.filter((b) => b.provider_id === p.id);
    const days = new Map();
    for (const b of mine) {
      const day = localDate(new Date(b.start), zone()); // the salon's day, whatever the provider's zone
      if (!days.has(day)) days.set(day, []);
      days.get(day).push(b);
    }
    return h("section", { class: "card column", "data-provider": p.display_name },
      h("h2", { text: p.display_name }),
      mine.length === 0 ? h("p", { class: "meta", text: t("staff.none") }) : null,
      [...days].map(([day, list]) => [
        S.span === "week" ? h("h3", { text: formatDay(day + "T12:00:00Z", "UTC") }) : null,
        h("ul", { class: "bookings" }, list.map(bookingItem)),
      ]));
  }));
}

function bookingItem(b) {
  const s = S.services.find((x) => x.id === b.service_id) || { name: "" };
  const started = new Date(b.start).getTime() <= Date.now();
  const act = (name, label, kind) => h("button", { type: "button", class: kind || "",
    "data-action": name, text: t(label), onclick: (event) => transition(b, name, event.target) });
  const actions = [];
  if (b.status === "pending") {
    actions.push(act("confirm", "staff.confirm", "primary"), act("decline", "staff.decline"));
  } else if (b.status === "confirmed" && started) {
    actions.push(act("complete", "staff.complete", "primary"), act("no-show", "staff.noShow"));
  }
  return h("li", { class: "booking", "data-booking": b.id, "data-status": b.status },
    h("div", {}, h("strong", { text: `${formatTime(b.start, zone())}–${formatTime(b.end, zone())}` }),
      " ", h("span", { text: s.name }), " ",
      h("span", { class: "badge " + b.status, text: t("status." + b.status) })),
    h("div", { class: "meta", text: t("staff.customer") + ": " +
      (b.customer_name || t("staff.unknownCustomer")) }),
    b.customer_note ? h("div", { class: "meta", text: t("staff.note") + ": " + b.customer_note })
      : null,
    actions.length ? h("div", { class: "row" }, actions) : null);
}

async function transition(booking, action, button) {
  button.disabled = true;
  try {
    const updated = await api.post(`/bookings/${booking.id}/${action}`);
    S.bookings = S.bookings.map((b) => (b.id === updated.id ? updated : b));
    message(t("staff.done"), "ok");
    renderBoard();
  } catch (error) {
    failed(error);
    load();
  }
}

function timeOffForm() {
  const providers = ownProviders().filter((p) => p.active);
  if (providers.length === 0) return null;
  const who = h("select", { id: "off-provider" }, providers.map((p) => h("option", {
    value: p.id, text: p.display_name })));
  const today = localDate(new Date(), zone());
  const from = h("input", { type: "datetime-local", id: "off-from", required: true,
    value: today + "T12:00" });
  const to = h("input", { type: "datetime-local", id: "off-to", required: true,
    value: today + "T13:00" });
  const reason = h("input", { type: "text", id: "off-reason", maxlength: 1000 });
  const submit = h("button", { type: "submit", class: "primary", id: "off-submit",
    text: t("staff.add") });
  const form = h("form", { class: "stack", novalidate: true },
    field(t("staff.provider"), who), h("div", { class: "row" },
      field(t("staff.from"), from), field(t("staff.to"), to)),
    field(t("staff.reason"), reason), submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await api.post(`/providers/${who.value}/time-off`, {
        starts_at: instantIn(from.value, zone()), ends_at: instantIn(to.value, zone()),
        reason: reason.value.trim() || null,
      });
      message(t("staff.timeOffAdded"), "ok");
      reason.value = "";
    } catch (error) {
      failed(error);
    } finally {
      submit.disabled = false;
    }
  });
  return h("section", { class: "card", id: "time-off" }, h("h2", { text: t("staff.timeOff") }),
    form);
}

start();
