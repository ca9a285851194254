/* The plan editor on a phone: one part per screen, and the plan saved as the person types.

   Without this script the page still works: the server shows one part (?section=N) and Previous,
   Save and Next are ordinary submit buttons that save the whole form. With it:
   - Previous and Next move between parts in the page (after saving what is pending);
   - a pause in typing saves the whole form through the same route, asking for JSON: the answer
     carries the new revision (the next save is checked against it, so a save from another device in
     between is refused with 409 rather than overwritten), the ids of new items, and the time;
   - "Add another goal" copies the part's empty row. */
(() => {
  "use strict";
  const form = document.querySelector("form[data-plan-editor]");
  if (!form || !window.fetch) return;
  const PAUSE_MS = 1200;  // a pause in typing long enough to be worth a save, short enough to lose nothing
  const parts = Array.from(form.querySelectorAll("[data-part]"));
  const status = document.getElementById("plan-saved");
  const share = document.getElementById("plan-share");
  const revision = form.querySelector("input[name=revision]");
  const previous = form.querySelector("[data-go=previous]");
  const next = form.querySelector("[data-go=next]");
  const partShown = form.querySelector("[data-progress-part]");
  const answeredShown = form.querySelector("[data-progress-answered]");
  let current = Number(form.dataset.current) || 0;  // 0: every part on one page
  let timer = null;
  let chain = Promise.resolve();  // saves run one after another, each sending the form as it is then
  let queued = 0;
  let stopped = false;    // a refusal the person must act on (a newer revision elsewhere): no more autosaves

  // data-state (pending, saved, problem) says whether everything typed is saved, for the page's tests.
  const say = (text, problem) => {
    status.textContent = text;
    status.classList.toggle("plan-saved-problem", Boolean(problem));
    if (problem) status.dataset.state = "problem";
  };

  const written = (part) => Array.from(part.querySelectorAll("textarea, input[type=text], input[type=date]"))
    .some((field) => field.value.trim() !== "");

  function showProgress() {
    answeredShown.textContent = String(parts.filter(written).length);
    if (partShown && current) partShown.textContent = String(current);
  }

  async function send() {
    if (stopped) return;
    say("Saving…");
    let response;
    try {
      response = await fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                                           headers: {"Accept": "application/json"}});
    } catch {
      say("Not saved: no connection. Your words stay on this page; it saves again when you type.", true);
      return;
    }
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      revision.value = answer.revision;
      for (const [index, id] of Object.entries(answer.ids || {})) {
        const row = form.querySelector(`[data-row="${index}"]`);
        if (!row) continue;
        if (!row.querySelector(`input[name="items-${index}-id"]`)) {
          row.insertAdjacentHTML("afterbegin", `<input type="hidden" name="items-${index}-id">`);
        }
        row.querySelector(`input[name="items-${index}-id"]`).value = id;
      }
      if (share) share.hidden = answer.shared;
      say(`Saved at ${answer.saved_at}.`);
      if (!timer && queued === 1) status.dataset.state = "saved";
    } else if (response.status === 409) {
      stopped = true;
      say(`Not saved: ${answer.error || "someone saved this plan on another page. Reload the page."} ` +
          "Copy what you wrote here first.", true);
    } else {
      const problems = answer.problems || [answer.error || "the plan could not be saved."];
      say(`Not saved: ${problems.join(" ")}`, true);
    }
  }

  function save() {
    clearTimeout(timer);
    timer = null;
    queued += 1;
    chain = chain.then(send).finally(() => { queued -= 1; });
    return chain;
  }
  const pending = () => Boolean(timer) || queued > 0;

  function show(number) {
    current = Math.min(Math.max(number, 1), parts.length);
    for (const part of parts) part.hidden = Number(part.dataset.part) !== current;
    previous.hidden = current === 1;
    next.hidden = current === parts.length;
    previous.value = String(current - 1);
    next.value = String(current + 1);
    form.querySelector("[data-save]").value = String(current);
    showProgress();
    const intro = document.querySelector("[data-plan-intro]");
    if (intro) intro.hidden = current !== 1;
    const url = new URL(window.location.href);
    url.searchParams.set("section", String(current));
    history.replaceState(null, "", url);
    const heading = parts[current - 1].querySelector("h2");
    heading.focus({preventScroll: true});
    form.scrollIntoView({block: "start"});
  }

  form.addEventListener("input", () => {
    status.dataset.state = "pending";
    showProgress();
    clearTimeout(timer);
    timer = setTimeout(save, PAUSE_MS);
  });
  form.addEventListener("change", () => { status.dataset.state = "pending"; save(); });

  // Sharing shares what is stored: what was just typed is saved first.
  const shareForm = share && share.querySelector("form");
  if (shareForm) {
    shareForm.addEventListener("submit", async (event) => {
      if (!pending()) return;
      event.preventDefault();
      await save();
      if (status.dataset.state === "saved") shareForm.submit();
    });
  }

  if (current) {
    for (const button of [previous, next]) {
      button.addEventListener("click", async (event) => {
        event.preventDefault();
        if (pending()) await save();
        show(Number(button.value));
      });
    }
  }
  form.querySelector("[data-save]").addEventListener("click", (event) => { event.preventDefault(); save(); });

  // A new row takes the next free form index; the server reads rows in index order.
  for (const button of form.querySelectorAll("[data-add-row]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const indexes = Array.from(form.querySelectorAll("[data-row]"), (row) => Number(row.dataset.row) || 0);
      const index = String(Math.max(0, ...indexes) + 1);
      const copy = button.parentElement.querySelector("template[data-new-row]").content.cloneNode(true);
      for (const element of copy.querySelectorAll("[name], [id], [for], [aria-describedby], [data-row]")) {
        for (const attribute of ["name", "id", "for", "aria-describedby", "data-row"]) {
          const value = element.getAttribute(attribute);
          if (value) element.setAttribute(attribute, value.replaceAll("__i__", index));
        }
      }
      button.before(copy);
      const first = button.previousElementSibling.querySelector("textarea, input[type=text]");
      if (first) first.focus();
    });
  }

  // Leaving with a save pending: save it now (keepalive lets it finish as the page goes).
  window.addEventListener("pagehide", () => {
    if (timer && !stopped) {
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin", keepalive: true,
                          headers: {"Accept": "application/json"}}).catch(() => {});
    }
  });
})();
