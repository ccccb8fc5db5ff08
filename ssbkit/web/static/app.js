// ssbkit lab: forms through the JSON API, uploads, live job progress, plots.
// User data is only ever inserted with textContent (never innerHTML).
"use strict";
(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  function say(el, text, isError) {
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("error", !!isError);
  }

  async function detail(resp) {
    try { const j = await resp.json(); return typeof j.detail === "string" ? j.detail : JSON.stringify(j.detail || j); }
    catch (e) { return resp.status + " " + resp.statusText; }
  }

  function formJSON(form) {
    const out = {};
    for (const el of form.elements) {
      if (!el.name || el.type === "submit") continue;
      if (el.type === "checkbox" && el.dataset.list) {  // checked boxes of one name -> a list
        out[el.name] = out[el.name] || [];
        if (el.checked) out[el.name].push(el.dataset.list === "int" ? parseInt(el.value, 10) : el.value);
        continue;
      }
      const v = el.value.trim();
      if (v === "") continue;
      const t = el.dataset.type;
      out[el.name] = t === "int" ? parseInt(v, 10) : t === "float" ? parseFloat(v) : t === "bool" ? v === "true" : v;
    }
    return out;
  }

  async function apiForm(ev) {
    ev.preventDefault();
    const form = ev.currentTarget, msg = form.querySelector(".form-msg");
    const resp = await fetch(form.dataset.action, {
      method: form.dataset.method || "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(formJSON(form)), credentials: "same-origin" });
    if (!resp.ok) { say(msg, await detail(resp), true); return; }
    const body = await resp.json();
    if (form.dataset.showKey) { say(msg, body[form.dataset.showKey], false); return; }
    if (form.dataset.redirectKey && body[form.dataset.redirectKey]) { location.href = body[form.dataset.redirectKey]; return; }
    location.reload();
  }

  async function apiButton(ev) {
    const b = ev.currentTarget;
    b.disabled = true;
    const resp = await fetch(b.dataset.action, { method: b.dataset.method || "POST",
      headers: { "X-CSRF-Token": csrf() }, credentials: "same-origin" });
    if (!resp.ok) { alert(await detail(resp)); b.disabled = false; return; }
    location.reload();
  }

  // ------------------------------------------------------------------ uploads
  function setupUpload(form) {
    const input = form.querySelector("#files"), zone = form.querySelector("#dropzone");
    const chosen = form.querySelector("#chosen"), out = form.querySelector("#upload-msg");
    let dropped = null;
    const list = (files) => { chosen.replaceChildren(...Array.from(files).map((f) => {
      const li = document.createElement("li"); li.textContent = f.name + " (" + f.size + " bytes)"; return li; })); };
    input.addEventListener("change", () => { dropped = null; list(input.files); });
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over");
      dropped = e.dataTransfer.files; list(dropped); });
    const key = "ssbkit-upload-" + form.dataset.sample;
    const show = (items) => out.replaceChildren(...items.map(([t, err]) => {
      const li = document.createElement("li"); li.textContent = t; if (err) li.className = "error"; return li; }));
    const saved = sessionStorage.getItem(key);
    if (saved) { show(JSON.parse(saved)); sessionStorage.removeItem(key); }
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const fd = new FormData();
      for (const f of (dropped || input.files)) fd.append("files", f, f.name);
      for (const el of form.elements) if (el.name && el.name !== "files" && el.value !== "") fd.append(el.name, el.value);
      show([["uploading ...", false]]);
      const resp = await fetch(form.dataset.action, { method: "POST", body: fd,
        headers: { "X-CSRF-Token": csrf() }, credentials: "same-origin" });
      if (!resp.ok) { show([[await detail(resp), true]]); return; }
      const body = await resp.json(), items = [];
      for (const m of body.measurements) items.push([m.original_name + ": " + (m.status === "ok" ? "stored" : m.status) +
        (m.message ? " — " + m.message : ""), m.status !== "ok" || !!m.message]);
      for (const r of body.rejected) items.push([r.original_name + ": not stored — " + r.message, true]);
      for (const n of body.notes) items.push([n, true]);
      sessionStorage.setItem(key, JSON.stringify(items));
      location.reload();
    });
  }

  // --------------------------------------------------------------- job progress
  function followJobs() {
    const live = Array.from(document.querySelectorAll("[data-job]")).filter(
      (li) => ["queued", "running"].includes(li.dataset.state));
    if (!live.length || !window.EventSource) return;
    let open = live.length;
    for (const li of live) {
      const es = new EventSource("/api/jobs/" + li.dataset.job + "/events");
      es.onmessage = (e) => {
        const j = JSON.parse(e.data), bar = li.querySelector("progress");
        li.dataset.state = j.state;
        li.querySelector(".state").textContent = j.state;
        li.querySelector(".jmsg").textContent = j.message || "";
        if (bar) { bar.max = j.total || 1; bar.value = j.done || 0; }
        if (["done", "failed", "interrupted"].includes(j.state)) {
          es.close(); open -= 1;
          if (open === 0 && (document.querySelector("#upload-form") || li.dataset.reload)) location.reload();
        }
      };
      es.onerror = () => { es.close(); };
    }
  }

  // ---------------------------------------------------------------------- plots
  function drawPlots() {
    if (!window.Plotly) return;
    for (const s of document.querySelectorAll('script[type="application/json"][data-plot]')) {
      const target = document.getElementById(s.dataset.plot), fig = JSON.parse(s.textContent);
      if (!target || !fig) continue;
      window.Plotly.newPlot(target, fig.data, fig.layout, { responsive: true, displaylogo: false,
        toImageButtonOptions: { format: "svg", filename: s.dataset.plot } });
      target.dataset.drawn = "1";
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form.api-form").forEach((f) => f.addEventListener("submit", apiForm));
    document.querySelectorAll("button.api-button").forEach((b) => b.addEventListener("click", apiButton));
    const st = document.querySelector("#study-form");
    if (st) st.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const resp = await fetch(st.dataset.action, { method: "POST", body: new FormData(st),
        headers: { "X-CSRF-Token": csrf() }, credentials: "same-origin" });
      if (!resp.ok) { say(st.querySelector(".form-msg"), await detail(resp), true); return; }
      location.href = (await resp.json()).url;
    });
    const up = document.querySelector("#upload-form");
    if (up) setupUpload(up);
    followJobs();
    drawPlots();
  });
})();
