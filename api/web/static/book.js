// The booking page, /book/{org slug}: a treatment, a provider or anyone, a week of free times
// in the salon's zone, a hold while the visitor signs in and writes a note, the booking, and
// "my bookings" to cancel or move. Everything comes from the public REST API.

import { Api, all, patiently } from "./api.js";
import { lang, problemText, t } from "./i18n.js";
import { LiveStream } from "./live.js";
import {
  addDays, authForm, clear, field, formatDay, formatPrice, formatSpan, formatTime, formatWhen,
  h, localDate, say, sessionNav, translateShell, visitorZone,
} from "./ui.js";

const api = new Api();
const slug = decodeURIComponent(location.pathname.replace(/^\/book\//, "").replace(/\/$/, ""));
const S = {
  org: null, services: [], providers: [], serviceId: null, providerId: "any", week: null,
  slots: null, selected: null, hold: null, booking: null, mine: [], moving: null,
  confirmCancel: null, showAuth: false, user: null, live: null, liveState: "connecting",
  note: "", busy: false,
};
const parts = {};
let holdTimer = null;
let refreshTimer = null;
let slotRequest = 0;

function message(text, kind = "info") {
  say(document.getElementById("messages"), text, kind);
}

function failed(error) {
  message(problemText(error), "error");
}

const service = () => S.services.find((s) => s.id === S.serviceId) || null;
const providerName = (id) => (S.providers.find((p) => p.id === id) || {}).display_name || "";
const zone = () => S.org.timezone;

async function start() {
  translateShell();
  const main = document.getElementById("main");
  for (const name of ["services", "providers", "slots", "checkout", "done", "mine"]) {
    parts[name] = h("section", { id: name, class: "card", hidden: true });
  }
  clear(main, Object.values(parts));
  // A page opened while the API restarts waits for it and carries on by itself.
  try {
    S.org = await patiently(() => api.get("/orgs/" + encodeURIComponent(slug), { auth: false }),
      failed);
    const [services, providers] = await patiently(() => Promise.all([
      all(api, `/orgs/${S.org.id}/services`),
      all(api, `/orgs/${S.org.id}/providers`),
    ]), failed);
    S.services = services.filter((s) => s.active && (s.provider_ids || []).length > 0);
    S.providers = providers.filter((p) => p.active);
  } catch (error) {
    document.getElementById("title").textContent = t("book.title");
    message(error.status === 404 ? t("book.notFound") : problemText(error), "error");
    return;
  }
  message("");
  S.week = localDate(new Date(), zone());
  // Fired when someone signs in or the session ends (not on a token refresh).
  api.addEventListener("session", (event) => {
    S.user = event.detail.user;
    if (!S.user) {
      if (event.detail.reason === "session_expired") message(t("error.session_expired"), "error");
      forgetUser();
    }
    render();
  });
  render();
}

// What belongs to the signed-in visitor goes when they do (a hold on the server lapses alone
// when the session ended elsewhere; signing out here releases it first).
function forgetUser() {
  stopHoldTimer();
  Object.assign(S, { hold: null, mine: [], moving: null, booking: null, confirmCancel: null,
    note: "" });
}

async function signOut() {
  // After the write on its way, if any: its hold is then known, and released with the rest.
  if (S.busy) await S.busy.catch(() => {});
  await busy(() => api.signOut(async () => {
    await releaseHold();
    forgetUser();
    S.showAuth = false; // signed out on purpose: no form, no time chosen
  }));
}

function render() {
  translateShell();
  document.title = t("book.title") + " · " + S.org.name;
  document.getElementById("title").textContent = S.org.name;
  renderSession();
  renderServices();
  renderProviders();
  renderSlots();
  renderCheckout();
  renderDone();
  renderMine();
}

function renderSession() {
  sessionNav(S.user, {
    redraw: render,
    onSignOut: signOut,
    onSignIn: () => { S.showAuth = true; render(); focusAuth(); },
  });
}

function renderServices() {
  const part = parts.services;
  part.hidden = false;
  if (S.services.length === 0) {
    return clear(part, h("p", { id: "nothing", text: t("book.inactive") }));
  }
  clear(part, h("h2", { text: t("book.service") }), h("div", { class: "choices" },
    S.services.map((s) => h("button", {
      type: "button", class: "choice", "aria-pressed": String(s.id === S.serviceId),
      "data-service": s.name, onclick: () => chooseService(s.id),
    }, h("strong", { text: s.name }),
    h("span", { class: "meta", text: t("book.minutes", { n: s.duration_minutes }) + " · " +
      formatPrice(s.price_minor, s.currency) }),
    s.description ? h("span", { class: "meta", text: s.description }) : null))));
}

function renderProviders() {
  const part = parts.providers;
  const headed = hasHeadingFocus(part);
  const chosen = service();
  part.hidden = !chosen || Boolean(S.moving);
  if (part.hidden) return;
  const ids = chosen.provider_ids;
  const options = [{ id: "any", name: t("book.anyone") },
    ...S.providers.filter((p) => ids.includes(p.id)).map((p) => ({ id: p.id, name: p.display_name }))];
  clear(part, h("h2", { text: t("book.provider") }), h("div", { class: "choices" },
    options.map((o) => h("button", {
      type: "button", class: "choice small", "aria-pressed": String(o.id === S.providerId),
      "data-provider": o.id === "any" ? "any" : o.name, onclick: () => chooseProvider(o.id),
    }, o.name))));
  if (headed) focusHeading("providers");
}

function renderSlots() {
  const part = parts.slots;
  part.hidden = !service();
  if (part.hidden) return;
  const focused = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.start : null;
  const headed = hasHeadingFocus(part);
  const notes = [h("p", { class: "meta", text: t("book.zone", { zone: zone() }) })];
  const mine = visitorZone();
  if (mine && mine !== zone()) {
    notes.push(h("p", { class: "meta", id: "your-zone", text: t("book.yourZone", { zone: mine }) }));
  }
  const live = h("p", { class: "meta live", id: "live-state", "data-state": S.liveState,
    text: liveText() });
  const today = localDate(new Date(), zone());
  const nav = h("div", { class: "week" },
    h("button", { type: "button", id: "prev-week", text: t("book.prevWeek"),
      disabled: S.week <= today, onclick: () => moveWeek(-7) }),
    h("span", { class: "range", text: formatDay(S.week + "T12:00:00Z", "UTC") + " – " +
      formatDay(addDays(S.week, 6) + "T12:00:00Z", "UTC") }),
    h("button", { type: "button", id: "next-week", text: t("book.nextWeek"),
      onclick: () => moveWeek(7) }));
  let body;
  if (S.slots === null) {
    body = h("p", { class: "meta", text: t("book.loading") });
  } else if (S.slots.length === 0) {
    body = h("p", { id: "no-slots", text: t("book.noSlots") });
  } else {
    const days = new Map();
    for (const slot of S.slots) {
      const day = slot.start.slice(0, 10);
      if (!days.has(day)) days.set(day, []);
      days.get(day).push(slot);
    }
    body = h("div", { class: "days" }, [...days].map(([day, slots]) => h("div", { class: "day" },
      h("h3", { text: formatDay(day + "T12:00:00Z", "UTC") }),
      h("div", { class: "times" }, slots.map((slot) => h("button", {
        type: "button", class: "slot", "data-start": slot.start,
        "aria-label": formatWhen(slot.start, zone()),
        "aria-pressed": String(S.selected !== null && S.selected.start === slot.start),
        onclick: () => pickSlot(slot),
      }, h("span", { text: formatTime(slot.start, zone()) }),
      mine && mine !== zone() ? h("small", { text: formatTime(slot.start, mine) }) : null))))));
  }
  clear(part, h("h2", { text: t("book.when") }), notes, live, nav, body);
  if (focused) {
    const again = part.querySelector(`[data-start="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
  if (headed) focusHeading("slots");
}

function liveText() {
  if (S.liveState === "open") return t("book.live");
  return S.liveState === "closed" ? t("book.liveOff") : t("book.reconnecting");
}

function renderCheckout() {
  const part = parts.checkout;
  const wantsAuth = !S.user && (S.selected || S.showAuth);
  part.hidden = !(S.hold || wantsAuth || S.moving);
  if (part.hidden) return clear(part);
  const items = [];
  if (S.moving) {
    const what = (S.services.find((s) => s.id === S.moving.service_id) || {}).name || "";
    items.push(h("p", { id: "moving", text: t("mine.pickNew", { what }) + " (" +
      formatWhen(S.moving.start, zone()) + ")" }));
    items.push(h("button", { type: "button", id: "stop-moving", text: t("mine.stopMoving"),
      onclick: () => { S.moving = null; render(); } }));
  }
  if (S.selected && !S.moving) {
    items.push(h("h2", { text: t("book.chosen") }));
    items.push(h("p", { class: "chosen", text: chosenText(S.selected, S.hold) }));
  }
  if (wantsAuth) {
    if (S.selected) items.push(h("p", { text: t("book.signInToBook") }));
    items.push(authForm(api, {
      onDone: async () => {
        S.showAuth = false;
        message("");
        const chosen = S.selected;
        if (chosen) await busy(() => placeHold(chosen));
        else render();
        loadMine();
      },
      onError: failed,
    }));
  } else if (S.hold) {
    const note = h("textarea", { id: "note", rows: 2, maxlength: 2000 });
    note.value = S.note; // kept across redraws (a language switch, a refresh of the list)
    note.addEventListener("input", () => { S.note = note.value; });
    const book = h("button", { type: "button", class: "primary", id: "confirm",
      text: t("book.confirm") });
    book.addEventListener("click", () => {
      if (!S.busy) busy(() => confirmHold(note.value.trim(), book));
    });
    items.push(h("p", { id: "held", class: "meta", text: t("book.held",
      { time: formatTime(S.hold.expires_at, zone()) }) }));
    items.push(field(t("book.note"), note));
    items.push(h("div", { class: "row" }, book, h("button", { type: "button", id: "release",
      text: t("book.release"), onclick: () => { if (!S.busy) releaseHold(); } })));
  }
  clear(part, items);
}

function chosenText(slot, hold) {
  const s = service();
  const who = hold ? providerName(hold.provider_id)
    : S.providerId === "any" ? t("book.anyone") : providerName(S.providerId);
  return `${s ? s.name : ""} · ${who} · ${formatWhen(slot.start, zone())}`;
}

function renderDone() {
  const part = parts.done;
  const b = S.booking;
  part.hidden = !b;
  if (!b) return clear(part);
  const s = S.services.find((x) => x.id === b.service_id) || { name: "" };
  // A data: address, not a blob: one: nothing to revoke, and the file is in the link itself.
  const ics = "data:text/calendar;charset=utf-8," + encodeURIComponent(icsFor(b, s.name));
  clear(part,
    h("h2", { id: "done-title", tabindex: -1, text: t("book.done") }),
    h("p", { class: "chosen", text: `${s.name} · ${providerName(b.provider_id)} · ` +
      formatWhen(b.start, zone()) }),
    h("p", { id: "done-status", "data-status": b.status,
      text: b.status === "pending" ? t("book.pending") : t("book.confirmed") }),
    h("div", { class: "row" },
      h("a", { class: "button", id: "ics", href: ics,
        download: `booking-${b.id.slice(0, 8)}.ics`, text: t("book.addToCalendar") }),
      h("button", { type: "button", id: "another", text: t("book.another"),
        onclick: () => { S.booking = null; render(); } })));
}

function renderMine() {
  const part = parts.mine;
  part.hidden = !S.user;
  if (part.hidden) return clear(part);
  const minutes = S.org.cancellation_cutoff_minutes || 0;
  const cutoff = Date.now() + minutes * 60000;
  const rows = S.mine.map((b) => {
    const s = S.services.find((x) => x.id === b.service_id) || { name: "" };
    const what = `${s.name}, ${formatWhen(b.start, zone())}`;
    const changeable = new Date(b.start).getTime() > cutoff;
    const button = (action, label, onclick, kind) => h("button", { type: "button",
      class: kind || "", "data-action": action, text: t(label),
      "aria-label": t(label) + ": " + what, onclick });
    let actions = [];
    if (changeable && S.confirmCancel === b.id) {
      actions = [
        button("cancel-yes", "mine.cancelSure", () => {
          if (!S.busy) busy(() => cancelBooking(b));
        }, "danger"),
        button("cancel-no", "mine.keep", () => { S.confirmCancel = null; render(); }),
      ];
    } else if (changeable) {
      actions = [
        button("reschedule", "mine.reschedule", () => startMoving(b)),
        button("cancel", "mine.cancel", () => { S.confirmCancel = b.id; render(); }),
      ];
    }
    return h("li", { class: "booking", "data-booking": b.id, "data-status": b.status,
      "data-changeable": String(changeable) },
      h("div", {}, h("strong", { text: formatWhen(b.start, zone()) }), " ",
        h("span", { text: `${s.name} · ${providerName(b.provider_id)}` }), " ",
        h("span", { class: "badge " + b.status, text: t("status." + b.status) })),
      actions.length ? h("div", { class: "row" }, actions) : null);
  });
  clear(part, h("h2", { text: t("mine.title") }),
    minutes > 0 ? h("p", { class: "meta", id: "rules",
      text: t("mine.rules", { span: formatSpan(minutes) }) }) : null,
    rows.length ? h("ul", { class: "bookings" }, rows) : h("p", { text: t("mine.none") }));
}

function focusAuth() {
  const input = document.getElementById("auth-email");
  if (input) input.focus();
}

function chooseService(id) {
  if (S.hold) releaseHold();
  S.serviceId = id;
  S.providerId = "any";
  S.selected = null;
  S.booking = null;
  S.moving = null;
  render();
  loadSlots();
  focusHeading("providers");
  listen();
}

// A redraw keeps the focus on a part's heading when it was there.
function hasHeadingFocus(part) {
  return document.activeElement !== null && document.activeElement.tagName === "H2" &&
    part.contains(document.activeElement);
}

// After a choice the focus goes to the next step, so the keyboard carries on from there.
function focusHeading(part) {
  const heading = parts[part].querySelector("h2");
  if (heading && !parts[part].hidden) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

function chooseProvider(id) {
  if (S.hold) releaseHold();
  S.providerId = id;
  S.selected = null;
  render();
  focusHeading("slots");
  loadSlots();
  listen();
}

function moveWeek(days) {
  S.week = addDays(S.week, days);
  const today = localDate(new Date(), zone());
  if (S.week < today) S.week = today;
  renderSlots();
  loadSlots();
}

async function loadSlots() {
  const s = service();
  if (!s) return render();
  const request = ++slotRequest;
  S.slots = null;
  renderProviders();
  renderSlots();
  try {
    const answer = await api.get(slotPath(s), { auth: false });
    if (request !== slotRequest) return;
    S.slots = answer.slots;
  } catch (error) {
    if (request !== slotRequest) return;
    S.slots = [];
    failed(error);
  }
  renderSlots();
}

// The week's free times: the organization's for "anyone available", else the provider's.
function slotPath(s) {
  const range = `service_id=${s.id}&from=${S.week}&to=${addDays(S.week, 6)}`;
  return S.providerId === "any" ? `/orgs/${S.org.id}/slots?${range}`
    : `/providers/${S.providerId}/slots?${range}`;
}

// Another client took or freed time: fetch the list again (once for a burst of events).
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    const s = service();
    if (!s) return;
    const request = ++slotRequest;
    try {
      const answer = await api.get(slotPath(s), { auth: false });
      if (request === slotRequest) {
        S.slots = answer.slots;
        renderSlots();
      }
    } catch {
      // The next event or a reload of the week tries again.
    }
  }, 100);
}

function listen() {
  if (S.live) S.live.stop();
  const s = service();
  if (!s) return;
  const ids = S.providerId === "any" ? s.provider_ids : [S.providerId];
  S.live = new LiveStream(api, ids.map((id) => "availability:" + id), (event) => {
    if (event.event === "state") {
      S.liveState = event.data.state;
      const node = document.getElementById("live-state");
      if (node) {
        node.dataset.state = S.liveState;
        node.textContent = liveText();
      }
      if (S.liveState === "open") refreshSoon();
    } else {
      refreshSoon();
    }
  });
}

async function pickSlot(slot) {
  if (S.busy) return; // one write at a time: a double tap must not hold two times
  message("");
  if (S.moving) return busy(() => reschedule(S.moving, slot));
  if (S.hold && S.hold.start === slot.start) return;
  S.selected = slot;
  S.booking = null;
  if (!S.user) {
    render();
    focusAuth();
    return;
  }
  await busy(async () => {
    if (S.hold) await releaseHold(slot);
    await placeHold(slot);
  });
}

// One write at a time: S.busy is the write on its way (a promise), false when there is none.
async function busy(work) {
  const run = work();
  S.busy = run;
  try {
    return await run;
  } finally {
    if (S.busy === run) S.busy = false;
  }
}

async function placeHold(slot) {
  const s = service();
  try {
    const hold = await api.post("/bookings/holds", {
      provider_id: S.providerId, service_id: s.id, start: slot.start,
    });
    if (S.selected !== slot || !S.user) {
      // The visitor moved on while it was on its way (another treatment, a move, signing
      // out): nobody wants this hold, so the time is freed at once.
      api.request("DELETE", `/bookings/holds/${hold.id}`).catch(() => {});
      return;
    }
    S.hold = hold;
    startHoldTimer();
    render();
    const note = document.getElementById("note");
    if (note) note.focus();
  } catch (error) {
    lost(error);
  }
}

// The answer to a write that lost: say why in words; a slot that is gone refreshes the list.
function lost(error) {
  failed(error);
  if (["slot_taken", "resource_unavailable", "hold_expired", "too_soon"].includes(error.code)) {
    S.selected = null;
    loadSlots();
  } else {
    render();
  }
}

function startHoldTimer() {
  stopHoldTimer();
  const left = new Date(S.hold.expires_at).getTime() - Date.now();
  holdTimer = setTimeout(() => {
    S.hold = null;
    S.selected = null;
    message(t("book.holdLapsed"), "error");
    loadSlots();
  }, Math.max(0, left));
}

function stopHoldTimer() {
  clearTimeout(holdTimer);
}

async function confirmHold(note, button) {
  button.disabled = true;
  try {
    const booking = await api.post(`/bookings/holds/${S.hold.id}/confirm`,
      note ? { customer_note: note } : {});
    stopHoldTimer();
    S.hold = null;
    S.selected = null;
    S.note = "";
    S.booking = booking;
    message("");
    await loadMine();
    render();
    document.getElementById("done-title").focus();
    loadSlots();
  } catch (error) {
    button.disabled = false;
    if (error.code === "hold_expired") {
      S.hold = null;
      stopHoldTimer();
    }
    lost(error);
  }
}

async function releaseHold(keep = null) {
  const hold = S.hold;
  S.hold = null;
  S.selected = keep;
  stopHoldTimer();
  render();
  if (!hold) return;
  try {
    await api.request("DELETE", `/bookings/holds/${hold.id}`);
  } catch {
    // An expired or already released hold frees its time all the same.
  }
  loadSlots();
}

async function loadMine() {
  if (!S.user) return;
  try {
    const items = await all(api, "/bookings?from=" + encodeURIComponent(new Date().toISOString()));
    S.mine = items.filter((b) => b.org_id === S.org.id && ["pending", "confirmed"]
      .includes(b.status));
  } catch (error) {
    failed(error);
  }
  renderMine();
}

function startMoving(booking) {
  if (S.hold) releaseHold();
  S.moving = booking;
  S.serviceId = booking.service_id;
  S.providerId = booking.provider_id;
  S.selected = null;
  S.booking = null;
  message("");
  render();
  loadSlots();
  listen();
  parts.slots.scrollIntoView({ block: "start" });
}

async function reschedule(booking, slot) {
  try {
    await api.post(`/bookings/${booking.id}/reschedule`, { start: slot.start });
    S.moving = null;
    message(t("mine.moved"), "ok");
    await loadMine();
    render();
    loadSlots();
  } catch (error) {
    lost(error);
  }
}

async function cancelBooking(booking) {
  S.confirmCancel = null;
  try {
    await api.post(`/bookings/${booking.id}/cancel`, {});
    message(t("mine.cancelled"), "ok");
    await loadMine();
    loadSlots();
  } catch (error) {
    failed(error);
    await loadMine();
  }
}

// One event as iCalendar (RFC 5545) in UTC, with the UID and SEQUENCE the booking's emails
// carry, so a calendar that has it from an email updates the same event.
function icsFor(booking, serviceName) {
  const utc = (value) => new Date(value).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const text = (value) => value.replace(/[\\;,]/g, (c) => "\\" + c).replace(/\r?\n/g, "\\n");
  return [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotbase//booking page//EN",
    "METHOD:PUBLISH", "BEGIN:VEVENT",
    `UID:${booking.id}@slotbase`, `SEQUENCE:${booking.sequence}`, `DTSTAMP:${utc(new Date())}`,
    `DTSTART:${utc(booking.start)}`, `DTEND:${utc(booking.end)}`,
    `SUMMARY:${text(serviceName + " · " + S.org.name)}`, `LOCATION:${text(S.org.name)}`,
    `STATUS:${booking.status === "pending" ? "TENTATIVE" : "CONFIRMED"}`,
    "END:VEVENT", "END:VCALENDAR", "",
  ].join("\r\n");
}

start();
