// The live page of lockable serve. It follows the lab through one stream
// of server-sent events (events): a "status" event with the whole lab,
// then an "update" event with the resources that changed, after each
// change. Nothing here polls the server; a one-second timer only ages the
// "since" and TTL cells. Everything shown goes in as text, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  // Fields of a resource's status that have their own column; any other
  // (a maintenance record, a queue) is shown under the holder.
  const known = new Set(["id", "state", "holder", "fencing_token", "ttl_seconds", "fits", "mismatches", "resource", "maintenance"]);
  // Fields of a resource that the rows do not repeat in its description.
  const plain = new Set(["id", "hostname", "online"]);

  const lab = {
    status: null,      // the last status: {version, hostname, resources: [...]}
    byId: new Map(),   // id -> resource status
    rows: new Map(),   // id -> <tr>
    at: 0,             // the server's time of the status, in ms
    received: 0,       // when it arrived, by this browser's clock
    error: "",
    fit: null,         // id -> {fits, reason}, while requirements are typed
    events: 0,
  };
  window.lockableLab = lab; // for the tests and the curious

  function connect() {
    const es = new EventSource("events");
    const live = $("live");
    es.onopen = () => { live.dataset.live = "live"; live.textContent = "live"; };
    es.onerror = () => { live.dataset.live = "reconnecting"; live.textContent = "reconnecting"; };
    es.addEventListener("status", (e) => receive(JSON.parse(e.data), true));
    es.addEventListener("update", (e) => receive(JSON.parse(e.data), false));
  }

  function receive(msg, whole) {
    lab.events++;
    lab.at = Date.parse(msg.time);
    lab.received = Date.now();
    lab.error = msg.error || "";
    $("source").textContent = msg.source ? "resources: " + msg.source : "";
    let changed = null; // every resource
    if (msg.status) {
      if (whole || !lab.status) {
        lab.status = msg.status;
        lab.byId = new Map(msg.status.resources.map((r) => [r.id, r]));
        whole = true;
      } else {
        merge(msg.status);
        changed = msg.status.resources;
      }
    }
    render(whole, changed);
    if (whole && lab.fit) fit.run(); // the list may have changed
    if (!document.body.dataset.ready && lab.status) {
      document.body.dataset.ready = "1";
      performance.mark("lab-ready");
    }
  }

  // merge takes in an update: its fields, and the resources it carries.
  function merge(update) {
    const changed = update.resources;
    const status = Object.assign({}, lab.status, update);
    status.resources = lab.status.resources.map((r) => r);
    const index = new Map(status.resources.map((r, i) => [r.id, i]));
    for (const r of changed) {
      if (index.has(r.id)) status.resources[index.get(r.id)] = r;
      lab.byId.set(r.id, r);
    }
    lab.status = status;
  }

  // render shows the lab: every row, or only those of the resources
  // changed.
  function render(whole, changed) {
    const err = $("error");
    err.hidden = !lab.error;
    err.textContent = lab.error ? "The lab cannot be read: " + lab.error : "";
    if (!lab.status) return;
    $("host").textContent = lab.status.hostname;
    const resources = lab.status.resources;
    const tbody = $("rows");
    if (whole && !sameOrder(resources)) {
      lab.rows = new Map();
      tbody.replaceChildren(...resources.map((r) => {
        const tr = document.createElement("tr");
        lab.rows.set(r.id, tr);
        return tr;
      }));
    }
    for (const r of changed || resources) fillRow(lab.rows.get(r.id), r);
    for (const tr of lab.rows.values()) tr.classList.toggle("stale", !!lab.error);
    $("lab").classList.toggle("leases", resources.some((r) => r.fencing_token || r.ttl_seconds));
    counts(resources);
    queue(lab.status);
    fit.summary();
  }

  function sameOrder(resources) {
    if (resources.length !== lab.rows.size) return false;
    let i = 0;
    for (const id of lab.rows.keys()) if (resources[i++].id !== id) return false;
    return true;
  }

  // fillRow shows r in its row, unless the row shows it already.
  function fillRow(tr, r) {
    const f = lab.fit && lab.fit.get(r.id);
    const shown = JSON.stringify(r) + (f ? "|" + f.fits + f.reason : "");
    if (tr.lockableShown === shown) return;
    tr.lockableShown = shown;
    const wasState = tr.dataset.state;
    tr.dataset.id = r.id;
    tr.dataset.state = r.state;
    if (wasState !== undefined && wasState !== r.state) tr.dataset.changedAt = String(Date.now());
    if (f) tr.dataset.fits = String(f.fits); else delete tr.dataset.fits;
    const cells = [
      cell("id", "", r.id, description(r)),
      cell("state", "", badge(r.state)),
      cell("holder", "holder", r.holder ? who(r.holder) : "", notes(r)),
      cell("since num", "since", ""),
      cell("lease num", "token", r.fencing_token ? String(r.fencing_token) : ""),
      cell("lease num", "TTL", ""),
      cell("fitcol", "fit", f ? f.reason : ""),
    ];
    tr.replaceChildren(...cells);
    age(tr, r);
  }

  function cell(cls, label, content, extra) {
    const td = document.createElement("td");
    td.className = cls;
    if (label) td.dataset.label = label;
    if (content instanceof Node) td.append(content); else td.textContent = content;
    if (extra) td.append(extra);
    if (!content && !extra) td.classList.add("dash");
    return td;
  }

  function badge(state) {
    const b = document.createElement("span");
    b.className = "badge";
    b.textContent = state;
    return b;
  }

  // description is a few of the resource's own fields, such as "phone ·
  // android · Pixel 7", and its host when it is another's.
  function description(r) {
    const res = r.resource || {};
    const parts = [];
    for (const [k, v] of Object.entries(res)) {
      if (plain.has(k) || v === null || typeof v === "object") continue;
      parts.push(k + ": " + v);
      if (parts.length === 4) break;
    }
    if (r.state === "other-host" && res.hostname) parts.push("on " + res.hostname);
    if (!parts.length) return null;
    const span = document.createElement("span");
    span.className = "desc";
    span.textContent = parts.join(" · ");
    return span;
  }

  // who names a holder as lockable status does: "alice@lab-1 pid 42 (make test)".
  function who(h) {
    if (!h.pid && !h.allocation_id) return "…"; // locked, not described yet
    let s = "";
    if (h.user) s += h.user + "@";
    if (h.hostname) s += h.hostname + " ";
    s += "pid " + h.pid;
    if (h.owner) s += " (" + h.owner + ")";
    return s;
  }

  // notes are the fields of a resource's status without a column of their
  // own: what a newer server tells (a maintenance record, waiters).
  function notes(r) {
    const parts = [];
    if (r.maintenance) parts.push(maintenance(r.maintenance));
    const extra = Object.keys(r).filter((k) => !known.has(k));
    parts.push(...extra.map((k) => k + ": " + brief(r[k])));
    if (!parts.length) return null;
    const span = document.createElement("span");
    span.className = "note";
    span.textContent = parts.join("; ");
    return span;
  }

  // maintenance says why a resource is out of service, as the command
  // line does: "in maintenance since 10:02 by ana@lab-1: flashing".
  function maintenance(m) {
    let s = "in maintenance";
    if (m.since) s += " since " + clock(m.since);
    if (m.by) s += " by " + m.by;
    if (m.until) s += ", until " + clock(m.until);
    if (m.note) s += ": " + m.note;
    return s;
  }

  function clock(t) {
    return new Date(Date.parse(t)).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function brief(v) {
    if (Array.isArray(v)) return v.length + " (" + v.map(brief).join(", ") + ")";
    if (v && typeof v === "object") {
      if (v.pid !== undefined) return who(v);
      return Object.entries(v).map(([k, x]) => k + " " + (typeof x === "object" ? JSON.stringify(x) : x)).join(", ");
    }
    return String(v);
  }

  // serverNow is the server's time now, as far as this browser can tell.
  function serverNow() {
    return lab.at + (Date.now() - lab.received);
  }

  function age(tr, r) {
    const since = tr.querySelector("td.since");
    const ttl = tr.querySelectorAll("td.lease")[1];
    const h = r.holder;
    if (h && h.since) {
      const t = Date.parse(h.since);
      since.textContent = duration((serverNow() - t) / 1000);
      since.title = new Date(t).toLocaleString();
      since.classList.remove("dash");
    }
    if (r.ttl_seconds) {
      ttl.textContent = Math.max(0, Math.round(r.ttl_seconds - (Date.now() - lab.received) / 1000)) + "s";
      ttl.classList.remove("dash");
    }
  }

  function duration(s) {
    s = Math.max(0, Math.floor(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    if (h) return h + "h" + String(m).padStart(2, "0") + "m";
    if (m) return m + "m" + String(s % 60).padStart(2, "0") + "s";
    return s + "s";
  }

  function counts(resources) {
    const by = new Map();
    for (const r of resources) by.set(r.state, (by.get(r.state) || 0) + 1);
    const out = $("counts");
    out.replaceChildren(resources.length + " resources: ");
    let first = true;
    for (const [state, n] of by) {
      if (!first) out.append(" · ");
      first = false;
      const b = document.createElement("b");
      b.textContent = n;
      out.append(b, " " + state);
    }
  }

  // queue shows the waiters when the status has them.
  function queue(status) {
    const waiters = Array.isArray(status.queue) ? status.queue : [];
    $("queue").hidden = !waiters.length;
    $("queue-list").replaceChildren(...waiters.map((w) => {
      const li = document.createElement("li");
      li.dataset.owner = w.owner || "";
      let s = who(w);
      if (w.priority) s += ", priority " + w.priority;
      if (w.since) s += ", waiting " + duration((serverNow() - Date.parse(w.since)) / 1000);
      const reqs = Array.isArray(w.requirements) ? w.requirements.map((q) => JSON.stringify(q)) : [];
      if (reqs.length) s += ", for " + reqs.join(" and ");
      li.textContent = s;
      return li;
    }));
  }

  // fit asks the server which resources fit the requirements typed, a
  // moment after the typing stops.
  const fit = {
    timer: 0,
    abort: null,
    text: "",
    answer: null,
    error: "",
    typed() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(), 250);
    },
    async run() {
      this.text = $("requirements").value.trim();
      if (this.abort) this.abort.abort();
      if (!this.text) { this.show(null, ""); return; }
      this.abort = new AbortController();
      try {
        const resp = await fetch("api/fit?requirements=" + encodeURIComponent(this.text), { signal: this.abort.signal });
        const body = await resp.json();
        if (resp.ok) this.show(body, ""); else this.show(null, body.error || resp.statusText);
      } catch (e) {
        if (e.name !== "AbortError") this.show(null, String(e));
      }
    },
    show(answer, error) {
      this.answer = answer;
      this.error = error;
      lab.fit = answer ? new Map(answer.resources.map((r) => [r.id, r])) : null;
      $("lab").classList.toggle("fitting", !!answer);
      if (lab.status) for (const r of lab.status.resources) fillRow(lab.rows.get(r.id), r);
      this.summary();
    },
    summary() {
      const out = $("fit-summary");
      out.classList.toggle("invalid", !!this.error);
      if (this.error) { out.textContent = this.error; return; }
      if (!this.answer) { out.textContent = ""; return; }
      const ids = this.answer.fitting;
      const free = ids.filter((id) => (lab.byId.get(id) || {}).state === "free");
      out.textContent = ids.length
        ? ids.length + " of " + this.answer.resources.length + " fit, " + free.length + " free now: " + ids.join(", ")
        : "None of the " + this.answer.resources.length + " resources fits " + JSON.stringify(this.answer.requirements) + "; the rows say why.";
    },
  };

  document.addEventListener("DOMContentLoaded", () => {
    $("requirements").addEventListener("input", () => fit.typed());
    setInterval(() => {
      if (!lab.status) return;
      for (const r of lab.status.resources) {
        const tr = lab.rows.get(r.id);
        if (tr && (r.holder || r.ttl_seconds)) age(tr, r);
      }
    }, 1000);
    connect();
  });
})();
