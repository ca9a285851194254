/* Credential Tracker in the browser: installs the service worker, and keeps log entries written
   without a connection on this device until they can be sent.

   A form marked data-offline-queue is posted as usual while online. Offline, its fields are kept in
   localStorage (this browser only, this person only) and the form is cleared; when the connection
   returns they are posted once, with a fresh CSRF token from the form's page and the form's own
   idempotency token, so a second attempt (another tab, a retry after a lost answer) is recognised by
   the server and saves nothing twice. Once sent, only a short receipt is kept: no notes. */
(() => {
  "use strict";
  const KEY = "credential-tracker.outbox.v1";
  const FORMS_KEY = "credential-tracker.forms.v1";  // the empty forms, so one can be filled in offline
  const FORMS_KEPT = 5;
  const RECEIPTS_KEPT = 5;
  const user = document.body.dataset.user || "";

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/service-worker.js", {scope: "/"}).catch(() => {});
  }

  const load = () => { try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch { return []; } };
  const save = (items) => localStorage.setItem(KEY, JSON.stringify(items));
  const token = () => Array.from(crypto.getRandomValues(new Uint8Array(18)),
                                  (b) => b.toString(16).padStart(2, "0")).join("");
  const when = (iso) => {
    const d = new Date(iso);
    return `${d.toLocaleTimeString("en-US", {hour: "numeric", minute: "2-digit"})} on ` +
           d.toLocaleDateString("en-GB", {day: "numeric", month: "long", year: "numeric"});
  };

  // What the person wrote, in their words: "Coaching, 2 December 2026, 2 hours".
  function describe(form) {
    const parts = [];
    const kind = form.querySelector("select[name=kind]");
    parts.push(kind ? kind.options[kind.selectedIndex].text : (form.dataset.offlineLabel || "Log entry"));
    const day = form.querySelector("[name=occurred_on]");
    if (day && day.value) {
      const [y, m, d] = day.value.split("-").map(Number);
      parts.push(new Date(y, m - 1, d).toLocaleDateString("en-GB", {day: "numeric", month: "long", year: "numeric"}));
    }
    const hours = form.querySelector("[name=hours]");
    if (hours && Number(hours.value)) parts.push(`${Number(hours.value)} ${Number(hours.value) === 1 ? "hour" : "hours"}`);
    return parts.join(", ");
  }

  function keep(form) {
    const fields = Array.from(new FormData(form).entries()).filter(([, v]) => typeof v === "string");
    const id = (fields.find(([name]) => name === "idempotency_token") || [])[1] || token();
    const items = load();
    items.push({id, user: form.dataset.offlineUser || user, action: form.action, page: form.dataset.offlinePage || location.pathname,
                label: describe(form), fields, savedAt: new Date().toISOString(), state: "waiting"});
    save(items);
    // The next entry is a new one: a new token, or the server would take it for this one again.
    for (const text of form.querySelectorAll("textarea")) text.value = "";
    const idField = form.querySelector("input[name=idempotency_token]");
    if (idField) idField.value = token();
  }

  async function freshCsrf(page) {
    const response = await fetch(page, {credentials: "same-origin"});
    if (!response.ok || response.redirected && new URL(response.url).pathname.startsWith("/auth/")) return null;
    const html = new DOMParser().parseFromString(await response.text(), "text/html");
    const input = html.querySelector("input[name=csrf_token]");
    return input ? input.value : null;
  }

  let sending = false;
  async function flush() {
    if (sending || !navigator.onLine) return;
    sending = true;
    try {
      for (const item of load().filter((i) => i.state === "waiting" && i.user === user)) {
        let response;
        try {
          const csrf = await freshCsrf(item.page);
          if (!csrf) break;  // signed out: it waits until this person signs in again
          const body = new FormData();
          for (const [name, value] of item.fields) body.append(name, name === "csrf_token" ? csrf : value);
          response = await fetch(item.action, {method: "POST", body, credentials: "same-origin"});
        } catch { break; }  // still no connection: try again when it comes back
        const items = load();
        const kept = items.find((i) => i.id === item.id);
        if (!kept) continue;
        if (response.redirected && new URL(response.url).pathname.startsWith("/auth/")) break;  // signed out meanwhile
        if (response.ok) {
          Object.assign(kept, {state: "sent", sentAt: new Date().toISOString()});
          delete kept.fields;  // the server has it now; the device keeps no notes
        } else {
          const page = new DOMParser().parseFromString(await response.text(), "text/html");
          const why = page.querySelector(".problems li, .error-message");
          Object.assign(kept, {state: "refused", reason: why ? why.textContent.trim() : "The server did not accept it."});
        }
        save(items);
      }
      const items = load();
      const receipts = items.filter((i) => i.state === "sent");
      save(items.filter((i) => i.state !== "sent" || receipts.indexOf(i) >= receipts.length - RECEIPTS_KEPT));
    } finally {
      sending = false;
      render();
    }
  }

  // Beside each form that can wait offline, a box saying what waits; the page's own box (base.html) is
  // used only on pages without such a form, so the same list is never shown twice.
  function boxes() {
    const forms = document.querySelectorAll("form[data-offline-queue]");
    for (const form of forms) {
      if (form.previousElementSibling && form.previousElementSibling.matches("[data-offline-outbox]")) continue;
      const box = document.createElement("div");
      box.className = "outbox";
      box.tabIndex = -1;
      box.setAttribute("role", "status");
      box.dataset.offlineOutbox = "form";
      form.before(box);
    }
    const beside = document.querySelectorAll("[data-offline-outbox=form]");
    return beside.length ? Array.from(beside) : Array.from(document.querySelectorAll("[data-offline-outbox]"));
  }

  function render() {
    for (const box of document.querySelectorAll("[data-offline-outbox]")) box.hidden = true;
    for (const box of boxes()) fill(box);
  }

  function fill(box) {
    const mine = load().filter((i) => i.user === user || !user);
    // The offline page says so in its own words; elsewhere the box says it.
    const offline = !navigator.onLine && box.dataset.offlineOutbox !== "list";
    box.replaceChildren();
    if (offline) {
      const p = document.createElement("p");
      p.className = "outbox-offline";
      p.textContent = "You are offline. Log entries you add now are kept on this device and sent when you are back online.";
      box.append(p);
    }
    if (mine.length) {
      const list = document.createElement("ul");
      list.className = "outbox-list";
      for (const item of mine.slice().reverse()) {
        const li = document.createElement("li");
        li.className = `outbox-item outbox-${item.state}`;
        const label = document.createElement("strong");
        label.textContent = item.label;
        const state = document.createElement("span");
        state.className = "outbox-state";
        state.textContent = item.state === "sent" ? `Sent at ${when(item.sentAt)}`
          : item.state === "refused" ? `Not saved: ${item.reason} Open the log and add it again.`
          : `Waiting to be sent (kept on this device since ${when(item.savedAt)})`;
        li.append(label, " ", state);
        if (item.state !== "waiting") {
          const remove = document.createElement("button");
          remove.type = "button";
          remove.className = "button button-small button-secondary";
          remove.textContent = "Dismiss";
          remove.addEventListener("click", () => { save(load().filter((i) => i.id !== item.id)); render(); });
          li.append(" ", remove);
        }
        list.append(li);
      }
      box.append(list);
    }
    box.hidden = !box.childElementCount;
  }

  // Each queued form, empty (no token, no notes), with whose it is: opened again without a connection,
  // the page's address gets the offline page, which offers the same form from here.
  function rememberForms() {
    if (!user) return;
    let kept;
    try { kept = JSON.parse(localStorage.getItem(FORMS_KEY)) || {}; } catch { kept = {}; }
    for (const form of document.querySelectorAll("form[data-offline-queue]")) {
      const copy = form.cloneNode(true);
      copy.dataset.offlineUser = user;
      copy.dataset.offlinePage = location.pathname;
      for (const input of copy.querySelectorAll("input[name=csrf_token], input[name=idempotency_token]")) input.value = "";
      for (const text of copy.querySelectorAll("textarea")) text.textContent = "";
      const section = form.closest("section");
      const heading = section && section.querySelector("h2");
      kept[location.pathname] = {user, html: copy.outerHTML, heading: heading ? heading.textContent.trim() : "",
                                 savedAt: new Date().toISOString()};
    }
    const paths = Object.keys(kept).sort((a, b) => kept[b].savedAt.localeCompare(kept[a].savedAt)).slice(0, FORMS_KEPT);
    localStorage.setItem(FORMS_KEY, JSON.stringify(Object.fromEntries(paths.map((p) => [p, kept[p]]))));
  }

  function offerRememberedForm() {
    const slot = document.querySelector("[data-offline-form]");
    if (!slot) return;
    let kept;
    try { kept = (JSON.parse(localStorage.getItem(FORMS_KEY)) || {})[location.pathname]; } catch { kept = null; }
    if (!kept) return;
    const template = document.createElement("template");
    template.innerHTML = kept.html;
    const form = template.content.querySelector("form[data-offline-queue]");
    if (!form) return;
    const idField = form.querySelector("input[name=idempotency_token]");
    if (idField) idField.value = token();
    // Kept days ago, its "today" has moved on: today on this device (the server checks the date again).
    const now = new Date();
    const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
    for (const day of form.querySelectorAll("input[type=date]")) {
      if (day.max && day.max < today) day.max = today;
      if (!day.min || day.min <= today) day.value = today;
    }
    const heading = document.createElement("h2");
    heading.textContent = kept.heading || "Add to the log";
    slot.replaceChildren(heading, form);
    slot.hidden = false;
  }

  document.addEventListener("submit", (event) => {
    if (event.target instanceof HTMLFormElement && event.target.classList.contains("sign-out")) {
      localStorage.removeItem(FORMS_KEY);  // signing out leaves no forms naming this person's team behind
    }
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-offline-queue")) return;
    // A form on the offline page always waits: that page is shown because the server could not be reached.
    if (navigator.onLine && !form.closest("[data-offline-form]")) return;
    event.preventDefault();
    if (!form.reportValidity()) return;
    keep(form);
    render();
    if (onOfflinePage) backOnline();  // written just as the connection returned: send it from the real page
    const box = form.previousElementSibling;
    if (box && box.matches("[data-offline-outbox]")) box.focus();
  });
  // The offline page stands in for the page asked for: once the server answers again, load that page,
  // which sends what waits (unless the person is writing an entry there: their words are not thrown away).
  const onOfflinePage = !!document.querySelector("[data-offline-outbox=list]");
  async function backOnline() {
    if (!navigator.onLine) return;  // the "online" event calls again
    try {
      const answer = await fetch("/healthz", {cache: "no-store"});
      if (!answer.ok) throw new Error(String(answer.status));
    } catch {
      setTimeout(backOnline, 3000);  // the network is back but the server not yet
      return;
    }
    const typing = Array.from(document.querySelectorAll("[data-offline-form] textarea")).some((t) => t.value.trim());
    if (!typing) location.reload();
  }
  window.addEventListener("online", () => (onOfflinePage ? backOnline() : flush()));
  if (onOfflinePage) backOnline();
  window.addEventListener("offline", render);
  window.addEventListener("storage", (event) => { if (event.key === KEY) render(); });
  offerRememberedForm();
  rememberForms();
  render();
  flush();
  // A phone shows the enrolment's sections as one strip that scrolls sideways; bring the page's own
  // section into view in the strip (only the strip moves, never the page).
  document.querySelectorAll(".section-nav ul").forEach((strip) => {
    const current = strip.querySelector('[aria-current="page"]');
    if (current && strip.scrollWidth > strip.clientWidth) {
      strip.scrollLeft += current.getBoundingClientRect().left - strip.getBoundingClientRect().left
                          - (strip.clientWidth - current.offsetWidth) / 2;
    }
  });
})();
