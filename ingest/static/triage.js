// CarePulse triage page: polls GET /v1/triage/queue and triages through PATCH /v1/feedback/{id}.
// Patient text only ever goes through textContent; rows are updated in place, never re-rendered,
// so what a nurse is typing in a row survives every poll.
"use strict";

(function () {
  const KEY_STORAGE = "carepulse.triageKey";
  const POLL_MS = 2000;
  const LEVELS = {
    critical: "Critical",
    high: "High",
    medium: "Medium",
    low: "Low",
  };
  const STATES = { new: "New", acknowledged: "Acknowledged", resolved: "Resolved" };

  const $ = (id) => document.getElementById(id);
  const rows = new Map(); // feedback id -> {node, item, changedAt, busy}
  const resolvedAt = new Map(); // feedback id -> the mutation that resolved it here
  let pollTimer = null;
  let session = 0; // bumped on sign-in and sign-out, so a late answer from before is ignored
  let mutations = 0; // bumped when a PATCH succeeds, so an older poll cannot undo it

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, key, body) {
    const headers = { Authorization: "Bearer " + key, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
      });
    } catch (error) {
      throw new ApiError(0, "Cannot reach CarePulse. Check the network; retrying.");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok) throw new ApiError(response.status, errorText(response.status, data));
    return data;
  }

  function errorText(status, data) {
    if (!data || typeof data !== "object") return "The server answered HTTP " + status + ".";
    let text = [data.title, data.description].filter(Boolean).join(": ");
    if (Array.isArray(data.errors)) {
      text += " (" + data.errors.map((e) => e.field + " " + e.message).join("; ") + ")";
    }
    return text || "The server answered HTTP " + status + ".";
  }

  function keyProblem(error) {
    if (error.status === 401) return "That key was not accepted: it is unknown or has been revoked.";
    if (error.status === 403) return "That key is not a staff key. Sign in with a staff or admin key.";
    return null;
  }

  // Signs out when the error says the key is no good; true if it did.
  function signedOutBy(error) {
    const problem = keyProblem(error);
    if (problem) signOut(problem);
    return Boolean(problem);
  }

  // --- signing in and out ------------------------------------------------------------------

  function showSignedIn(signedIn) {
    $("sign-in").hidden = signedIn;
    $("queue").hidden = !signedIn;
    $("sign-out").hidden = !signedIn;
  }

  async function signIn(key) {
    const mine = ++session;
    $("sign-in-error").textContent = "";
    try {
      const data = await api("GET", "/v1/triage/queue", key);
      if (mine !== session) return;
      sessionStorage.setItem(KEY_STORAGE, key);
      $("key").value = "";
      showSignedIn(true);
      render(data.items, mutations);
      schedulePoll(mine);
    } catch (error) {
      if (mine !== session || signedOutBy(error)) return;
      $("sign-in-error").textContent = error.message;
    }
  }

  function signOut(message) {
    session++;
    clearTimeout(pollTimer);
    sessionStorage.removeItem(KEY_STORAGE);
    rows.forEach((row) => row.node.remove());
    rows.clear();
    resolvedAt.clear();
    $("sync").textContent = "";
    $("queue-error").textContent = "";
    $("sign-in-error").textContent = message || "";
    showSignedIn(false);
    $("key").focus();
  }

  // --- polling -----------------------------------------------------------------------------

  function schedulePoll(mine) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(() => poll(mine), POLL_MS);
  }

  async function poll(mine) {
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (mine !== session || !key) return;
    const startedAt = mutations;
    try {
      const data = await api("GET", "/v1/triage/queue", key);
      if (mine !== session) return;
      $("queue-error").textContent = "";
      render(data.items, startedAt);
    } catch (error) {
      if (mine !== session || signedOutBy(error)) return;
      $("queue-error").textContent = error.message;
    }
    schedulePoll(mine);
  }

  // --- rendering, in place -------------------------------------------------------------------

  function render(polled, startedAt) {
    const items = polled.filter((item) => !(resolvedAt.get(item.id) > startedAt));
    const wanted = new Set(items.map((item) => item.id));
    rows.forEach((row, id) => {
      // A row changed by this page after the poll began keeps what the PATCH answered.
      if (!wanted.has(id) && row.changedAt <= startedAt) {
        row.node.remove();
        rows.delete(id);
      }
    });
    const list = $("rows");
    items.forEach((item, index) => {
      let row = rows.get(item.id);
      if (!row) {
        row = { node: createRow(item.id), item, changedAt: -1, busy: false };
        rows.set(item.id, row);
      }
      if (row.changedAt <= startedAt) {
        row.item = item;
        fill(row);
      }
      const current = list.children[index];
      if (current !== row.node) list.insertBefore(row.node, current || null);
    });
    $("empty").hidden = rows.size > 0;
    const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    $("sync").textContent = rows.size + " open · updated " + time;
  }

  function part(node, name) {
    return node.querySelector('[data-field="' + name + '"]');
  }

  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text;
  }

  function createRow(id) {
    const node = $("row-template").content.firstElementChild.cloneNode(true);
    node.dataset.feedbackId = id;
    const select = node.querySelector('[data-input="label"]');
    select.addEventListener("change", () => {
      select.dataset.touched = "1";
    });
    node.querySelector('[data-action="acknowledge"]').addEventListener("click", () =>
      triage(id, "acknowledged", false),
    );
    node.querySelector('[data-action="resolve"]').addEventListener("click", () =>
      triage(id, "resolved", false),
    );
    // The endpoint needs a state: an open item is "new" or "acknowledged", and labelling one
    // means someone has looked at it, so a label is saved as "acknowledged".
    node.querySelector('[data-action="label"]').addEventListener("click", () =>
      triage(id, "acknowledged", true),
    );
    return node;
  }

  function fill(row) {
    const { node, item } = row;
    const level = item.urgency_level || "unscored";
    node.dataset.level = level;
    node.dataset.triageState = item.triage_state;
    const badge = part(node, "level");
    badge.className = "level level-" + level;
    setText(badge, LEVELS[item.urgency_level] || "Not scored yet");
    setText(part(node, "department"), item.department || "No department");
    setText(part(node, "channel"), item.channel);
    const received = part(node, "received");
    if (received.dateTime !== item.received_at) {
      received.dateTime = item.received_at;
      received.textContent = new Date(item.received_at).toLocaleString([], {
        dateStyle: "medium",
        timeStyle: "short",
      });
    }
    setText(part(node, "status"), item.status);
    setText(part(node, "triage"), STATES[item.triage_state] || item.triage_state);
    part(node, "triage").className = "pill state-" + item.triage_state;
    setText(part(node, "rating"), item.rating === null ? "" : "Rating " + item.rating + "/5");
    setText(part(node, "text"), item.text || "(no text)");
    fillReasons(part(node, "reasons"), item.urgency_reasons || []);
    setText(part(node, "label"), item.urgency_label ? "Staff urgency: " + LEVELS[item.urgency_label] : "");
    const select = node.querySelector('[data-input="label"]');
    if (!select.dataset.touched) select.value = item.urgency_label || item.urgency_level || "";
    setBusy(row, row.busy);
  }

  // Buttons stay where they are (no layout jump under a finger); Acknowledge is only live on new items.
  function setBusy(row, busy) {
    row.busy = busy;
    row.node.querySelectorAll("button").forEach((button) => {
      button.disabled = busy || (button.dataset.action === "acknowledge" && row.item.triage_state !== "new");
    });
  }

  function fillReasons(list, reasons) {
    const joined = JSON.stringify(reasons);
    if (list.dataset.reasons === joined) return;
    list.dataset.reasons = joined;
    list.replaceChildren(
      ...reasons.map((reason) => {
        const entry = document.createElement("li");
        entry.textContent = reason;
        return entry;
      }),
    );
  }

  // --- triage actions --------------------------------------------------------------------------

  async function triage(id, state, withLabel) {
    const row = rows.get(id);
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (!row || !key) return;
    const { node } = row;
    const note = node.querySelector('[data-input="note"]');
    const select = node.querySelector('[data-input="label"]');
    const body = { triage_state: state };
    if (note.value.trim()) body.note = note.value.trim();
    if (withLabel) {
      if (!select.value) {
        setText(part(node, "error"), "Choose the urgency level first.");
        return;
      }
      body.urgency_label = select.value;
    }
    setText(part(node, "error"), "");
    setText(part(node, "message"), "");
    setBusy(row, true);
    const mine = session;
    try {
      const detail = await api("PATCH", "/v1/feedback/" + encodeURIComponent(id), key, body);
      if (mine !== session) return;
      row.changedAt = ++mutations;
      row.busy = false;
      note.value = "";
      delete select.dataset.touched;
      if (detail.triage.state === "resolved") {
        resolvedAt.set(id, row.changedAt);
        node.remove();
        rows.delete(id);
        $("empty").hidden = rows.size > 0;
        return;
      }
      const urgency = detail.analysis && detail.analysis.urgency;
      row.item = Object.assign({}, row.item, {
        status: detail.status,
        triage_state: detail.triage.state,
        urgency_label: detail.triage.urgency_label,
        urgency_level: urgency ? urgency.level : row.item.urgency_level,
      });
      fill(row);
      setText(part(node, "message"), withLabel ? "Urgency saved." : "Acknowledged.");
    } catch (error) {
      if (mine !== session || signedOutBy(error)) return;
      setText(part(node, "error"), error.message);
      setBusy(row, false);
    }
  }

  // --- start -----------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    $("sign-in-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("key").value.trim();
      if (!key) {
        $("sign-in-error").textContent = "Enter your staff key.";
        return;
      }
      signIn(key);
    });
    $("sign-out").addEventListener("click", () => signOut(""));
    const saved = sessionStorage.getItem(KEY_STORAGE);
    if (saved) signIn(saved);
    else showSignedIn(false);
  });
})();
