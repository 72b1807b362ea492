// Retouch browser editor: plain JS over the HTTP API (no build step, no CDN).
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  sessionId: null, apiKey: localStorage.getItem("retouch-api-key") || "", tool: "none",
  busy: false, box: null, hasMask: false, references: [], size: null,
};

// ----------------------------------------------------------------- HTTP

function headers(extra = {}) {
  const h = { ...extra };
  if (state.apiKey) h["X-API-Key"] = state.apiKey;
  return h;
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers) });
  if (response.status === 401) askForKey();
  if (!response.ok) throw await errorOf(response);
  return response;
}

async function errorOf(response) {
  try {
    const body = await response.json();
    return Object.assign(new Error(`${body.error.code}: ${body.error.message}`), { details: body.error.details });
  } catch (_) {
    return new Error(`HTTP ${response.status}`);
  }
}

function askForKey() {
  const input = $("api-key");
  input.hidden = false;
  input.focus();
}

async function imageUrl(path) {  // images need the key header too, so they come through fetch
  const response = await api(path);
  return URL.createObjectURL(await response.blob());
}

// Server-sent events from a POST: fetch + a small parser (EventSource only does GET).
async function* readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (data) yield { event, data: JSON.parse(data) };
    }
  }
}

// ----------------------------------------------------------------- sessions

async function ensureSession() {
  if (state.sessionId) return state.sessionId;
  const session = await (await api("/sessions", { method: "POST" })).json();
  setSession(session.id);
  return session.id;
}

function setSession(id) {
  state.sessionId = id;
  history.replaceState(null, "", id ? `#${id}` : "#");
  $("session-label").textContent = id ? `session ${id.slice(0, 8)}…` : "no session";
  const link = $("export");
  link.hidden = !id;
  link.onclick = async (event) => {  // the archive needs the key header as well
    event.preventDefault();
    const url = URL.createObjectURL(await (await api(`/sessions/${id}/export`)).blob());
    const a = document.createElement("a");
    a.href = url; a.download = `retouch-${id}.zip`; a.click();
  };
}

async function restore(id) {
  try {
    await api(`/sessions/${id}`);
    setSession(id);
    const turns = await refresh();
    for (const turn of turns) {
      if (turn.kind !== "upload") say("user", turn.message);
      say("bot", turn.reply, turn);
    }
    await restorePlan(id);  // plan.js: a plan left waiting (by this tab or another worker) is shown again
  } catch (error) {
    setSession(null);
  }
}

// ----------------------------------------------------------------- image and marks

const img = $("image"), overlay = $("overlay"), wrap = $("canvas-wrap");
const maskCanvas = document.createElement("canvas");  // full resolution, white = marked

async function showImage(path) {
  const url = await imageUrl(path);
  await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = reject; img.src = url; });
  wrap.classList.remove("empty");
  if (!state.size || state.size[0] !== img.naturalWidth || state.size[1] !== img.naturalHeight) {
    state.size = [img.naturalWidth, img.naturalHeight];
    for (const canvas of [overlay, maskCanvas]) { canvas.width = state.size[0]; canvas.height = state.size[1]; }
    clearMarks();
  }
}

function clearMarks() {
  maskCanvas.getContext("2d").clearRect(0, 0, maskCanvas.width, maskCanvas.height);
  state.box = null; state.hasMask = false;
  drawOverlay();
}

function drawOverlay(preview) {
  const ctx = overlay.getContext("2d");
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  ctx.globalAlpha = 0.45;
  ctx.drawImage(maskCanvas, 0, 0);
  ctx.globalAlpha = 1;
  const box = preview || state.box;
  if (box) {
    ctx.strokeStyle = "#3563e9";
    ctx.lineWidth = Math.max(2, overlay.width / 250);
    ctx.setLineDash([8, 5]);
    ctx.strokeRect(box[0], box[1], box[2] - box[0], box[3] - box[1]);
  }
}

function imagePoint(event) {  // CSS pixels → image pixels
  const rect = overlay.getBoundingClientRect();
  return [Math.round((event.clientX - rect.left) * overlay.width / rect.width),
          Math.round((event.clientY - rect.top) * overlay.height / rect.height)];
}

let drag = null;
overlay.addEventListener("pointerdown", (event) => {
  if (state.tool === "none" || !state.size) return;
  overlay.setPointerCapture(event.pointerId);
  drag = { start: imagePoint(event), last: imagePoint(event) };
  if (state.tool === "brush") paint(drag.last, drag.last);
});
overlay.addEventListener("pointermove", (event) => {
  if (!drag) return;
  const point = imagePoint(event);
  if (state.tool === "brush") paint(drag.last, point);
  else drawOverlay(boxOf(drag.start, point));
  drag.last = point;
});
overlay.addEventListener("pointerup", (event) => {
  if (!drag) return;
  if (state.tool === "box") {
    const box = boxOf(drag.start, imagePoint(event));
    state.box = box[2] - box[0] > 2 && box[3] - box[1] > 2 ? box : null;
    drawOverlay();
  }
  drag = null;
});

function boxOf(a, b) {
  const clamp = (v, hi) => Math.max(0, Math.min(hi, v));
  const [w, h] = state.size;
  return [clamp(Math.min(a[0], b[0]), w), clamp(Math.min(a[1], b[1]), h),
          clamp(Math.max(a[0], b[0]), w), clamp(Math.max(a[1], b[1]), h)];
}

function paint(from, to) {
  const ctx = maskCanvas.getContext("2d");
  ctx.strokeStyle = "#ff3b30";
  ctx.lineCap = ctx.lineJoin = "round";
  ctx.lineWidth = Math.max(8, maskCanvas.width / 30);
  ctx.beginPath(); ctx.moveTo(...from); ctx.lineTo(...to); ctx.stroke();
  state.hasMask = true;
  drawOverlay();
}

function maskBase64() {  // white strokes on black, at the image's size
  const out = document.createElement("canvas");
  out.width = maskCanvas.width; out.height = maskCanvas.height;
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#000"; ctx.fillRect(0, 0, out.width, out.height);
  ctx.globalCompositeOperation = "lighter";
  ctx.filter = "brightness(0) invert(1)";
  ctx.drawImage(maskCanvas, 0, 0);
  return out.toDataURL("image/png");
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = reject;
    reader.readAsDataURL(file);
  });
}

// ----------------------------------------------------------------- chat

function say(who, text, turn) {
  const li = document.createElement("li");
  li.className = who;
  li.textContent = text;
  if (turn && who === "bot") {
    if (turn.needs_answer) li.classList.add("question");
    if (turn.passed === false) li.classList.add("failed");
    if (turn.score != null) {
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = `turn ${turn.turn_index ?? turn.index} · score ${turn.score.toFixed(2)}`;
      li.appendChild(meta);
    }
  }
  $("log").appendChild(li);
  li.scrollIntoView({ block: "end" });
  return li;
}

function setBusy(busy, text = "") {
  state.busy = busy;
  $("send").disabled = busy;
  $("progress").hidden = !busy;
  $("progress-text").textContent = text;
}

async function send(text) {
  if (state.busy || !text.trim()) return;
  const id = await ensureSession();
  say("user", text);
  const body = { text };
  if (state.hasMask) body.mask = maskBase64();
  if (state.box) body.box = state.box;
  if (state.references.length) body.reference_images = state.references.map((r) => r.data);
  if ($("confirm-plan").checked) body.confirm_plan = true;
  await streamTurn(`/sessions/${id}/messages`, body, "sending…");
}

// POST a turn (a message, or a decision on a plan) and follow its events to the end.
async function streamTurn(path, body, label) {
  setBusy(true, label);
  try {
    const response = await api(path, {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body),
    });
    for await (const { event, data } of readEvents(response)) {
      if (event === "done") {
        say("bot", data.result.reply, data.result);
        clearMarks();
        state.references = []; renderReferences();
      } else if (event === "plan" && data.result && data.result.pending_plan) {
        showPlan(data.result.pending_plan);  // plan.js: waits for Approve or Reject
      } else if (event === "error") {
        say("error", `${data.error.code}: ${data.error.message}`);
        offer(data.error.details);
      } else {
        setBusy(true, `${event}: ${data.message}`);
      }
    }
  } catch (error) {
    say("error", error.message);
    offer(error.details);
  } finally {
    setBusy(false);
    await refresh();
  }
}

// A refusal that names what it could not find offers the way on: draw a box, then send "… this".
function offer(details) {
  if (!details || !(details.actions || []).includes("draw_box")) return;
  const li = document.createElement("li");
  li.className = "offer";
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.offer = "box";
  button.textContent = `Draw a box around the ${details.thing || "thing"}`;
  button.addEventListener("click", () => {
    document.querySelector("[data-tool=box]").click();
    $("message").value = details.say || "edit this";
    $("message").focus();
  });
  li.appendChild(button);
  $("log").appendChild(li);
  li.scrollIntoView({ block: "end" });
}

async function command(path, body) {
  if (state.busy || !state.sessionId) return;
  setBusy(true, path);
  try {
    const response = await api(`/sessions/${state.sessionId}/${path}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}),
    });
    const turn = await response.json();
    say("bot", turn.reply, turn);
  } catch (error) {
    say("error", error.message);
  } finally {
    setBusy(false);
    await refresh();
  }
}

async function upload(file) {
  if (state.busy) return;
  const id = await ensureSession();
  const form = new FormData();
  form.append("file", file);
  setBusy(true, "uploading…");
  try {
    const turn = await (await api(`/sessions/${id}/image`, { method: "POST", body: form })).json();
    say("bot", turn.reply, turn);
  } catch (error) {
    say("error", error.message);
  } finally {
    setBusy(false);
    await refresh();
  }
}

// ----------------------------------------------------------------- history strip

async function refresh() {
  if (!state.sessionId) return [];
  const history = await (await api(`/sessions/${state.sessionId}/history`)).json();
  if (history.head) await showImage(`/sessions/${state.sessionId}/image`);
  const list = $("thumbs");
  list.replaceChildren();
  const seen = new Set();
  for (const turn of history.turns) {
    // one thumbnail per image a turn made; undo/redo/revert only move the head
    if (!turn.version_id || seen.has(turn.version_id) || turn.kind === "history" || turn.kind === "clarify") continue;
    seen.add(turn.version_id);
    const li = document.createElement("li");
    li.dataset.turn = turn.index;
    if (turn.version_id === history.head) li.classList.add("head");
    const button = document.createElement("button");
    button.type = "button";
    button.title = `go back to the image after turn ${turn.index}`;
    const thumb = document.createElement("img");
    thumb.alt = `turn ${turn.index}`;
    imageUrl(turn.thumbnail_url).then((url) => { thumb.src = url; });
    button.appendChild(thumb);
    button.addEventListener("click", () => command("revert", { turn: turn.index }));
    const caption = document.createElement("span");
    caption.className = "caption";
    caption.textContent = `${turn.index}. ${turn.kind === "upload" ? "original" : turn.message}`;
    li.append(button, caption);
    list.appendChild(li);
  }
  return history.turns;
}

// ----------------------------------------------------------------- references

function renderReferences() {
  const list = $("ref-list");
  list.replaceChildren();
  state.references.forEach((ref, index) => {
    const thumb = document.createElement("img");
    thumb.src = ref.data; thumb.title = `${ref.name} (click to remove)`; thumb.alt = ref.name;
    thumb.addEventListener("click", () => { state.references.splice(index, 1); renderReferences(); });
    list.appendChild(thumb);
  });
}

async function addReference(file) {
  state.references.push({ name: file.name, data: await readAsDataUrl(file) });
  renderReferences();
}

function dropTarget(element, onFile) {
  element.addEventListener("dragover", (event) => { event.preventDefault(); element.classList.add("dragover"); });
  element.addEventListener("dragleave", () => element.classList.remove("dragover"));
  element.addEventListener("drop", (event) => {
    event.preventDefault();
    element.classList.remove("dragover");
    const file = event.dataTransfer.files[0];
    if (file) onFile(file);
  });
}

// ----------------------------------------------------------------- wiring

$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("message");
  const text = input.value;
  input.value = "";
  send(text);
});
$("file-input").addEventListener("change", (event) => { if (event.target.files[0]) upload(event.target.files[0]); });
$("ref-input").addEventListener("change", (event) => { if (event.target.files[0]) addReference(event.target.files[0]); });
$("ref-drop").addEventListener("click", () => $("ref-input").click());
dropTarget(wrap, upload);
dropTarget($("ref-drop"), addReference);
$("undo").addEventListener("click", () => command("undo"));
$("redo").addEventListener("click", () => command("redo"));
$("clear-marks").addEventListener("click", clearMarks);
$("new-session").addEventListener("click", () => {
  setSession(null);
  $("log").replaceChildren(); $("thumbs").replaceChildren();
  wrap.classList.add("empty"); state.size = null; img.removeAttribute("src");
});
document.querySelectorAll("[data-tool]").forEach((button) => button.addEventListener("click", () => {
  state.tool = button.dataset.tool;
  document.querySelectorAll("[data-tool]").forEach((b) => b.classList.toggle("active", b === button));
  overlay.style.pointerEvents = state.tool === "none" ? "none" : "auto";
}));
overlay.style.pointerEvents = "none";
$("api-key").value = state.apiKey;
$("api-key").addEventListener("change", (event) => {
  state.apiKey = event.target.value;
  localStorage.setItem("retouch-api-key", state.apiKey);
});

if (location.hash.length > 1) restore(location.hash.slice(1));
