// Building the page from nodes and text: no HTML strings anywhere (the CSP's Trusted Types
// would refuse them), so nothing the API answers can ever run as markup.

import { lang, locale, setLang, t } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== false));
  return node;
}

// A message area: role=alert for errors (read out at once), status for the rest.
export function say(node, text, kind = "info") {
  clear(node);
  if (!text) return;
  node.append(h("p", { class: "message " + kind, role: kind === "error" ? "alert" : "status",
    "data-kind": kind }, text));
}

export function formatTime(iso, zone) {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", timeZone: zone })
    .format(new Date(iso));
}

export function formatDay(iso, zone) {
  return new Intl.DateTimeFormat(locale(), {
    weekday: "long", day: "numeric", month: "long", timeZone: zone,
  }).format(new Date(iso));
}

export function formatWhen(iso, zone) {
  return formatDay(iso, zone) + " " + formatTime(iso, zone);
}

export function formatPrice(minor, currency) {
  return new Intl.NumberFormat(locale(), { style: "currency", currency }).format(minor / 100);
}

// The calendar date (YYYY-MM-DD) of an instant in a zone.
export function localDate(instant, zone) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    year: "numeric", month: "2-digit", day: "2-digit", timeZone: zone,
  }).formatToParts(instant);
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

export function addDays(date, days) {
  const d = new Date(date + "T12:00:00Z");
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function visitorZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

// The language switch in the header; `redraw` paints the page again in the new language.
function languageSwitch(redraw) {
  const button = h("button", { type: "button", class: "link", id: "lang", lang: lang() === "da"
    ? "en" : "da", text: t("lang.other") });
  button.addEventListener("click", () => {
    setLang(lang() === "da" ? "en" : "da");
    redraw();
    const again = document.getElementById("lang");
    if (again) again.focus();
  });
  return button;
}

// The header's account corner: the language switch, who is signed in and "sign out", or
// "sign in" (when the page offers it) for a visitor. `redraw` repaints the page.
export function sessionNav(user, { redraw, onSignOut, onSignIn = null }) {
  const items = [languageSwitch(redraw)];
  if (user) {
    items.push(h("span", { class: "who", text: t("auth.signedInAs",
      { name: user.full_name || user.email }) }));
    items.push(h("button", { type: "button", class: "link", id: "sign-out",
      text: t("auth.signOut"), onclick: onSignOut }));
  } else if (onSignIn) {
    items.push(h("button", { type: "button", class: "link", id: "sign-in",
      text: t("auth.signIn"), onclick: onSignIn }));
  }
  clear(document.getElementById("session"), items);
}

// The words of the static page shell (the skip link, the account navigation's label).
export function translateShell() {
  document.documentElement.lang = lang();
  const skip = document.querySelector(".skip");
  if (skip) skip.textContent = t("shell.skip");
  const nav = document.getElementById("session");
  if (nav) nav.setAttribute("aria-label", t("shell.account"));
}

// A length of time in the largest whole unit: 1440 -> "24 hours", 2880 -> "2 days".
export function formatSpan(minutes) {
  const [unit, size] = minutes % 1440 === 0 ? ["day", 1440]
    : minutes % 60 === 0 ? ["hour", 60] : ["minute", 1];
  return new Intl.NumberFormat(locale(), { style: "unit", unit, unitDisplay: "long" })
    .format(minutes / size);
}

// The sign-in / create-account form; calls done(user) once signed in.
export function authForm(api, { onDone, onError, register = true }) {
  let mode = "signin";
  const box = h("div", { class: "auth" });
  const draw = () => {
    const email = h("input", { type: "email", name: "email", id: "auth-email", required: true,
      autocomplete: "email" });
    const password = h("input", { type: "password", name: "password", id: "auth-password",
      required: true, minlength: 1, autocomplete: mode === "signin" ? "current-password"
        : "new-password" });
    const name = h("input", { type: "text", name: "name", id: "auth-name", autocomplete: "name" });
    const submit = h("button", { type: "submit", class: "primary", id: "auth-submit",
      text: mode === "signin" ? t("auth.signIn") : t("auth.register") });
    const form = h("form", { class: "stack", novalidate: true },
      mode === "register" ? field(t("auth.name"), name) : null,
      field(t("auth.email"), email),
      field(t("auth.password"), password),
      submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      submit.disabled = true;
      try {
        const user = mode === "signin"
          ? await api.signIn(email.value.trim(), password.value)
          : await api.register(email.value.trim(), password.value, name.value.trim(), lang());
        onDone(user);
      } catch (error) {
        onError(error);
      } finally {
        submit.disabled = false;
      }
    });
    const other = register ? h("button", { type: "button", class: "link", id: "auth-switch",
      text: mode === "signin" ? t("auth.newHere") : t("auth.haveAccount") }) : null;
    if (other) {
      other.addEventListener("click", () => {
        mode = mode === "signin" ? "register" : "signin";
        draw();
      });
    }
    clear(box, form, other);
  };
  draw();
  return box;
}

export function field(label, input) {
  return h("label", { class: "field" }, h("span", { text: label }), input);
}

// The instant of a wall-clock time ("YYYY-MM-DDTHH:MM") in a zone, as RFC 3339 with the
// zone's offset at that moment (the offset is found by asking Intl, twice around a change).
export function instantIn(wall, zone) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(wall)) return wall; // the API says what is wrong
  const [date, time] = wall.split("T");
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  let offset = zoneOffset(guess, zone);
  offset = zoneOffset(guess - offset, zone);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset) / 60000;
  const pad = (n) => String(n).padStart(2, "0");
  return `${wall}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function zoneOffset(utcMillis, zone) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric",
  }).formatToParts(new Date(utcMillis));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return wall - Math.floor(utcMillis / 60000) * 60000;
}
