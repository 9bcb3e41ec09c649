// SAGE Studio Chat: a single page on the gateway's public HTTP API only (no private routes, no CDN).
"use strict";

const KEY_STORAGE = "sage.apiKey";
const state = { sessionId: null, busy: false };
const $ = (selector) => document.querySelector(selector);

// ---- HTTP ---------------------------------------------------------------------------------------------------

function authHeaders(extra = {}) {
  const key = $("#api-key").value.trim();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `HTTP ${status}`);
    this.status = status;
  }
}

async function api(method, path, body) {
  const init = { method, headers: authHeaders(body === undefined ? {} : { "Content-Type": "application/json" }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(path, init);
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function showNotice(message) {
  const notice = $("#notice");
  notice.textContent = message;
  notice.hidden = !message;
}

function report(error) {
  if (error instanceof ApiError && error.status === 401) {
    showNotice("The gateway needs an API key: enter it at the top right.");
    $("#api-key").focus();
  } else {
    showNotice(error.message || String(error));
  }
}

// ---- Sessions sidebar ---------------------------------------------------------------------------------------

async function refreshSessions() {
  const data = await api("GET", "/sessions?origin=named");
  const list = $("#session-list");
  list.replaceChildren(...data.sessions.map(sessionItem));
  // The listing is a page (the latest 100); with more behind it, its totals are lower bounds.
  const more = data.has_more ? "+" : "";
  const plural = (n, word) => `${n}${more} ${word}${n === 1 && !more ? "" : "s"}`;
  $("#session-stats").textContent =
    `${plural(data.stats.total_sessions, "session")} · ${plural(data.stats.total_messages, "message")}`;
  const current = data.sessions.find((s) => s.id === state.sessionId);
  $("#session-title").textContent = current ? current.title : "New chat";
}

function button(text, className, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = text;
  element.className = className;
  element.addEventListener("click", (event) => {
    event.stopPropagation();
    onClick().catch(report);
  });
  return element;
}

function sessionItem(session) {
  const item = document.createElement("li");
  item.className = "session-item" + (session.id === state.sessionId ? " active" : "");
  item.dataset.sessionId = session.id;
  const title = document.createElement("span");
  title.className = "title";
  title.textContent = session.title;
  title.title = `${session.message_count} messages`;
  const actions = document.createElement("div");
  actions.className = "actions";
  actions.append(
    button("Rename", "rename", async () => startRename(item, session)),
    button("Clear", "clear", async () => {
      await api("POST", `/sessions/${encodeURIComponent(session.id)}/clear`);
      if (session.id === state.sessionId) await openSession(session.id);
      await refreshSessions();
    }),
    button("Delete", "delete", async () => {
      await api("DELETE", `/sessions/${encodeURIComponent(session.id)}`);
      if (session.id === state.sessionId) startNewChat();
      await refreshSessions();
    }),
  );
  item.append(title, actions);
  item.addEventListener("click", () => openSession(session.id).catch(report));
  return item;
}

function startRename(item, session) {
  const input = document.createElement("input");
  input.className = "rename-input";
  input.value = session.title;
  input.maxLength = 200;
  item.querySelector(".title").replaceWith(input);
  input.focus();
  input.select();
  input.addEventListener("click", (event) => event.stopPropagation());
  input.addEventListener("keydown", async (event) => {
    if (event.key === "Escape") return refreshSessions().catch(report);
    if (event.key !== "Enter") return;
    event.preventDefault();
    try {
      await api("PATCH", `/sessions/${encodeURIComponent(session.id)}/title`, { title: input.value });
      await refreshSessions();
    } catch (error) {
      report(error);
    }
  });
}

async function openSession(sessionId) {
  const session = await api("GET", `/sessions/${encodeURIComponent(sessionId)}`);
  state.sessionId = session.id;
  clearMessages();
  for (const message of session.messages) {
    if (message.role === "user") addUserMessage(message.content);
    else renderMarkdown(addAssistantMessage().content, message.content);
  }
  await refreshSessions();
}

function startNewChat() {
  state.sessionId = null;
  clearMessages();
  $("#session-title").textContent = "New chat";
  document.querySelectorAll(".session-item.active").forEach((item) => item.classList.remove("active"));
}

// ---- Messages -----------------------------------------------------------------------------------------------

function clearMessages() {
  $("#messages").replaceChildren();
  showNotice("");
}

function scrollToEnd() {
  const messages = $("#messages");
  messages.scrollTop = messages.scrollHeight;
}

function addUserMessage(text) {
  const empty = $("#empty-state");
  if (empty) empty.remove();
  const element = document.createElement("div");
  element.className = "message user";
  element.textContent = text;
  $("#messages").append(element);
  scrollToEnd();
}

function addAssistantMessage() {
  const element = document.createElement("div");
  element.className = "message assistant";
  const content = document.createElement("div");
  content.className = "content";
  const meta = document.createElement("div");
  meta.className = "meta";
  element.append(content, meta);
  $("#messages").append(element);
  scrollToEnd();
  return { element, content, meta };
}

function renderMarkdown(target, text) {
  // Model output is untrusted: Markdown to HTML, then DOMPurify removes anything executable.
  target.innerHTML = DOMPurify.sanitize(marked.parse(text));
}

function routeOf(route) {
  if (route.includes("fallback")) return ["fallback", "fallback"];
  if (route.includes("generate_workflow")) return ["workflow", "workflow"];
  if (route.includes("retrieve")) return ["rag", "RAG"];
  return ["casual", "casual"];
}

function showRoute(meta, sage) {
  const [kind, label] = routeOf(sage.route || []);
  const badge = document.createElement("span");
  badge.className = `route-badge ${kind}`;
  badge.textContent = label;
  badge.title = (sage.route || []).join(" → ");
  meta.prepend(badge);
}

function showSources(message, sources) {
  if (!sources || !sources.length) return;
  const list = document.createElement("ol");
  list.className = "sources";
  for (const source of sources) {
    const item = document.createElement("li");
    item.textContent = source.heading ? `${source.doc_path} › ${source.heading}` : source.doc_path;
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = ` (${Number(source.score).toFixed(2)})`;
    item.append(score);
    list.append(item);
  }
  message.element.append(list);
}

// ---- Workflow drawing ---------------------------------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 190;
const NODE_H = 58;
const MIN_SCALE = 0.7; // below this the labels become unreadable: the drawing scrolls sideways instead
const BOW = 70; // a link that skips over boxes in its row arcs above them

function svgElement(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

function drawPipeline(pipeline) {
  const xs = pipeline.nodes.map((n) => n.position.x);
  const ys = pipeline.nodes.map((n) => n.position.y);
  const [left, top] = [Math.min(...xs) - 20, Math.min(...ys) - 20 - BOW];
  const width = Math.max(...xs) - left + NODE_W + 20;
  const height = Math.max(...ys) - top + NODE_H + 20;
  const svg = svgElement("svg", { viewBox: `${left} ${top} ${width} ${height}`, role: "img" });
  svg.setAttribute("width", Math.round(width * MIN_SCALE));
  svg.setAttribute("height", Math.round(height * MIN_SCALE));
  svg.setAttribute("aria-label", `Pipeline ${pipeline.name}`);
  const marker = svgElement("marker", {
    id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto",
  });
  marker.append(svgElement("path", { d: "M0,0 L10,5 L0,10 z", fill: "#8a94a6" }));
  const defs = svgElement("defs");
  defs.append(marker);
  svg.append(defs);
  const byId = new Map(pipeline.nodes.map((n) => [n.id, n]));
  for (const connection of pipeline.connections) {
    const source = byId.get(connection.source);
    const target = byId.get(connection.target);
    if (!source || !target) continue;
    const [x1, y1] = [source.position.x + NODE_W, source.position.y + NODE_H / 2];
    const [x2, y2] = [target.position.x, target.position.y + NODE_H / 2];
    const bend = Math.max(30, (x2 - x1) / 2);
    const skips = Math.abs(y2 - y1) < NODE_H && x2 - x1 > NODE_W * 1.5;
    // A link past other boxes of its row leaves from the top of its box and arcs over them.
    const [sx, sy, tx, ty] = [source.position.x + NODE_W / 2, source.position.y, target.position.x + NODE_W / 2, target.position.y];
    const d = skips
      ? `M${sx},${sy} C${sx},${sy - BOW * 1.3} ${tx},${ty - BOW * 1.3} ${tx},${ty}`
      : `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
    const path = svgElement("path", { class: "wf-edge", d, "marker-end": "url(#arrow)" });
    path.dataset.source = connection.source;
    path.dataset.target = connection.target;
    svg.append(path);
  }
  for (const node of pipeline.nodes) {
    const group = svgElement("g", { class: "wf-node", transform: `translate(${node.position.x},${node.position.y})` });
    group.dataset.nodeId = node.id;
    group.append(svgElement("rect", { width: NODE_W, height: NODE_H, rx: 8 }));
    const label = svgElement("text", { class: "label", x: 12, y: 25 });
    label.textContent = node.label;
    const type = svgElement("text", { class: "type", x: 12, y: 46 });
    type.textContent = node.type;
    group.append(label, type);
    svg.append(group);
  }
  return svg;
}

function foldCodeBlocks(content) {
  // The answer repeats the pipeline as JSON; the drawing says it better, so the JSON folds away.
  for (const block of content.querySelectorAll("pre")) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Pipeline JSON";
    block.replaceWith(details);
    details.append(summary, block);
  }
}

function showWorkflow(message, workflow) {
  const pipeline = workflow && workflow.visual_pipeline;
  if (!pipeline) return;
  foldCodeBlocks(message.content);
  const box = document.createElement("div");
  box.className = "workflow";
  const head = document.createElement("div");
  head.className = "workflow-head";
  const name = document.createElement("strong");
  name.textContent = `${pipeline.name} · ${pipeline.nodes.length} nodes, ${pipeline.connections.length} connections`;
  const download = document.createElement("button");
  download.type = "button";
  download.className = "download-workflow";
  download.textContent = "Download JSON";
  download.addEventListener("click", () => {
    const blob = new Blob([JSON.stringify(pipeline, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${pipeline.name.replace(/[^\w-]+/g, "_") || "pipeline"}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });
  head.append(name, download);
  box.append(head, drawPipeline(pipeline));
  message.element.append(box);
}

// ---- Streaming a turn ---------------------------------------------------------------------------------------

async function* sseEvents(response) {
  // Server-sent events by the spec: blocks separated by a blank line, `event:` and `data:` fields.
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: data.join("\n") };
    }
  }
}

async function send(text) {
  showNotice("");
  // The page's conversations are named sessions: it lists those (one-shot API calls stay out of the list).
  if (!state.sessionId) state.sessionId = (await api("POST", "/sessions", {})).id;
  addUserMessage(text);
  const message = addAssistantMessage();
  message.element.classList.add("streaming");
  const steps = document.createElement("span");
  steps.className = "steps";
  message.meta.append(steps);
  const body = {
    model: "sage-default",
    messages: [{ role: "user", content: text }],
    stream: true,
    sage: { steps: true },
  };
  if (state.sessionId) body.session_id = state.sessionId;
  const response = await fetch("/v1/chat/completions", {
    method: "POST",
    headers: authHeaders({ "Content-Type": "application/json" }),
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    message.element.remove();
    throw new ApiError(response.status, await response.json().catch(() => null));
  }
  state.sessionId = response.headers.get("X-Session-Id") || state.sessionId;
  let answer = "";
  const nodes = [];
  for await (const { event, data } of sseEvents(response)) {
    if (event === "sage.step") {
      nodes.push(JSON.parse(data).node);
      steps.textContent = nodes.join(" → ");
      continue;
    }
    if (data === "[DONE]") break;
    const chunk = JSON.parse(data);
    if (chunk.error) {
      message.element.classList.add("error");
      message.content.textContent = chunk.error.message;
      continue;
    }
    const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
    if (delta && delta.content) {
      answer += delta.content;
      renderMarkdown(message.content, answer);
      scrollToEnd();
    }
    if (chunk.sage) {
      state.sessionId = chunk.sage.session_id || state.sessionId;
      showRoute(message.meta, chunk.sage);
      showSources(message, chunk.sage.sources);
      showWorkflow(message, chunk.sage.workflow);
    }
  }
  message.element.classList.remove("streaming");
  message.element.classList.add("done");
  scrollToEnd();
  await Promise.all([refreshSessions(), refreshMemory()]);
}

// ---- Memory panel -------------------------------------------------------------------------------------------

// What the gateway remembers about this key's user (every session shares it): each fact, with a button that
// deletes it (the gateway then never recalls it again).
async function refreshMemory() {
  const data = await api("GET", "/memory/items?limit=200");
  $("#memory-list").replaceChildren(...data.items.map(memoryItem));
  $("#memory-count").textContent = data.total ? `${data.total}` : "nothing yet";
}

function memoryItem(item) {
  const element = document.createElement("li");
  element.className = "memory-item";
  element.title = item.said ? `“${item.said}” (${item.updated_at.slice(0, 10)})` : item.updated_at.slice(0, 10);
  const text = document.createElement("span");
  text.className = "memory-text";
  text.textContent = item.text;
  const remove = button("×", "memory-delete", async () => {
    await api("DELETE", `/memory/items/${encodeURIComponent(item.id)}`);
    await refreshMemory();
  });
  remove.setAttribute("aria-label", `Forget: ${item.text}`);
  element.append(text, remove);
  return element;
}

// ---- Wiring -------------------------------------------------------------------------------------------------

async function loadModel() {
  const models = await api("GET", "/v1/models");
  $("#model-name").textContent = models.data
    .filter((m) => m.type !== "embedding" && m.id !== "sage-default")
    .map((m) => m.id)
    .join(", ");
}

async function start() {
  const keyInput = $("#api-key");
  keyInput.value = localStorage.getItem(KEY_STORAGE) || "";
  keyInput.addEventListener("change", () => {
    localStorage.setItem(KEY_STORAGE, keyInput.value.trim());
    showNotice("");
    Promise.all([loadModel(), refreshSessions(), refreshMemory()]).catch(report);
  });
  $("#new-session").addEventListener("click", () => {
    api("POST", "/sessions", {})
      .then((session) => openSession(session.id))
      .catch(report);
  });
  $("#composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const prompt = $("#prompt");
    const text = prompt.value.trim();
    if (!text || state.busy) return;
    state.busy = true;
    $("#send").disabled = true;
    prompt.value = "";
    try {
      await send(text);
    } catch (error) {
      report(error);
    } finally {
      state.busy = false;
      $("#send").disabled = false;
      prompt.focus();
    }
  });
  $("#prompt").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("#composer").requestSubmit();
    }
  });
  await Promise.all([loadModel(), refreshSessions(), refreshMemory()]);
}

document.addEventListener("DOMContentLoaded", () => start().catch(report));
