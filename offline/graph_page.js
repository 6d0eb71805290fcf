// Interactivity of the dependency graph page (inlined by offline/graph_html.py; the page fetches nothing).
// The SVG arrives laid out; this script only hides lanes, moves the remaining ones up, redraws edges,
// and highlights: a resource's upstream and downstream on click, and search matches.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const svg = document.getElementById("graph");
  const canvas = document.getElementById("canvas");
  const details = document.getElementById("details");
  const edgesGroup = document.getElementById("edges");
  const BOX = data.box;
  const width = Number(svg.getAttribute("width"));
  const byId = new Map(data.resources.map((r) => [r.id, r]));
  const deps = new Map(), dependents = new Map();
  for (const r of data.resources) { deps.set(r.id, []); dependents.set(r.id, []); }
  for (const [a, b] of data.edges) { deps.get(b).push(a); dependents.get(a).push(b); }
  const drawn = new Set(data.drawn.map(([a, b]) => a + ">" + b));
  const shownLayers = new Set(data.layers.map((l) => l.name));
  const shownHosts = new Set(data.lanes.map((l) => l.host));
  const laneTop = new Map();
  let height = Number(svg.getAttribute("height"));
  let zoom = 1, selected = null, matches = [], matchAt = -1;

  const all = (selector) => Array.from(svg.querySelectorAll(selector));
  const laneVisible = (lane) => shownLayers.has(lane.layer) && shownHosts.has(lane.host);
  const boxVisible = (id) => laneVisible(data.lanes[byId.get(id).lane]);

  function path(a, b) {
    const s = byId.get(a), t = byId.get(b);
    const x1 = s.x + BOX.w, y1 = laneTop.get(s.lane) + s.y + BOX.h / 2;
    const x2 = t.x, y2 = laneTop.get(t.lane) + t.y + BOX.h / 2;
    const dx = Math.max(40, (x2 - x1) / 2);
    return `M${x1.toFixed(0)},${y1.toFixed(0)} C${(x1 + dx).toFixed(0)},${y1.toFixed(0)} ` +
      `${(x2 - dx).toFixed(0)},${y2.toFixed(0)} ${x2.toFixed(0)},${y2.toFixed(0)}`;
  }

  function place(selector, key, value, top, visible) {
    for (const el of all(`${selector}[data-${key}="${CSS.escape(String(value))}"]`)) {
      el.classList.toggle("hidden", !visible);
      if (visible) el.setAttribute("transform", `translate(0,${top})`);
    }
  }

  // Hide filtered lanes, stack the rest from the top, then redraw every edge between visible boxes.
  function relayout() {
    let y = BOX.top;
    for (const layer of data.layers) {
      const lanes = data.lanes.filter((l) => l.layer === layer.name);
      const any = lanes.some(laneVisible);
      place(".layer-band", "layer", layer.name, y, any);
      place(".layer-label", "layer", layer.name, y, any);
      if (any) y += BOX.layerH;
      for (const lane of lanes) {
        const visible = laneVisible(lane);
        for (const sel of [".lane-bg", ".lane-boxes", ".lane-label"]) place(sel, "lane", lane.index, y, visible);
        laneTop.set(lane.index, y);
        if (visible) y += lane.height;
      }
    }
    height = y + 16;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    for (const rule of all(".col-rule")) rule.setAttribute("y2", String(height));
    for (const el of all(".edge")) {
      const a = el.dataset.from, b = el.dataset.to, visible = boxVisible(a) && boxVisible(b);
      el.classList.toggle("hidden", !visible);
      if (visible) el.setAttribute("d", path(a, b));
    }
    applyZoom();
    highlight();
  }

  function showImplied(on) {
    for (const el of all(".edge.implied")) el.remove();
    if (on) {
      for (const [a, b] of data.edges) {
        if (drawn.has(a + ">" + b)) continue;
        const el = document.createElementNS("http://www.w3.org/2000/svg", "path");
        el.setAttribute("class", "edge implied");
        el.dataset.from = a; el.dataset.to = b;
        el.setAttribute("marker-end", "url(#arrow)");
        edgesGroup.appendChild(el);
      }
    }
    relayout();
  }

  function closure(start, next) {
    const seen = new Set(), queue = [start];
    while (queue.length) for (const n of next.get(queue.pop())) if (!seen.has(n)) { seen.add(n); queue.push(n); }
    return seen;
  }

  function highlight() {
    const up = selected ? closure(selected, deps) : new Set();
    const down = selected ? closure(selected, dependents) : new Set();
    svg.classList.toggle("tracing", selected !== null);
    svg.classList.toggle("searching", selected === null && matches.length > 0);
    const matched = new Set(matches);
    for (const el of all(".res")) {
      const id = el.id;
      el.classList.toggle("selected", id === selected);
      el.classList.toggle("up", up.has(id));
      el.classList.toggle("down", down.has(id));
      el.classList.toggle("on", id === selected || up.has(id) || down.has(id));
      el.classList.toggle("match", matched.has(id));
    }
    for (const el of all(".edge")) {
      const a = el.dataset.from, b = el.dataset.to;
      el.classList.toggle("up", (up.has(a) || a === selected) && (up.has(b) || b === selected));
      el.classList.toggle("down", (down.has(a) || a === selected) && (down.has(b) || b === selected));
    }
  }

  function link(id) {
    const r = byId.get(id);
    return `<li><a data-go="${id}" title="${escapeHtml(r.urn)}">${escapeHtml(r.name)}</a> ` +
      `<span class="meta">${escapeHtml(r.layer)} · ${escapeHtml(r.host)}</span></li>`;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function showDetails(id) {
    if (id === null) {
      details.innerHTML = '<p class="hint">Click a resource to see what it depends on and what depends on it.</p>';
      return;
    }
    const r = byId.get(id);
    const up = closure(id, deps).size, down = closure(id, dependents).size;
    details.innerHTML =
      `<h2>${escapeHtml(r.name)}</h2><p class="meta">${escapeHtml(r.type)}</p>` +
      `<p class="meta">layer <b>${escapeHtml(r.layer)}</b> · host <b>${escapeHtml(r.host)}</b> · step ${r.step}</p>` +
      `<p class="meta">${escapeHtml(r.urn)}</p>` +
      `<h3>waits for: ${deps.get(id).length} direct, ${up} in all</h3><ul>${deps.get(id).map(link).join("")}</ul>` +
      `<h3>needed by: ${dependents.get(id).length} direct, ${down} in all</h3><ul>${dependents.get(id).map(link).join("")}</ul>`;
  }

  function reveal(id) {
    const r = byId.get(id);
    if (!shownLayers.has(r.layer) || !shownHosts.has(r.host)) {
      shownLayers.add(r.layer); shownHosts.add(r.host);
      syncCheckboxes(); relayout();
    }
    const top = (laneTop.get(r.lane) + r.y) * zoom, left = r.x * zoom;
    canvas.scrollTo({ left: Math.max(0, left - canvas.clientWidth / 3), top: Math.max(0, top - canvas.clientHeight / 3) });
  }

  function select(id) {
    selected = id;
    showDetails(id);
    highlight();
  }

  function search(text) {
    const q = text.trim().toLowerCase();
    matches = q ? data.resources.filter((r) => (r.name + " " + r.type + " " + r.urn).toLowerCase().includes(q)).map((r) => r.id) : [];
    matchAt = -1;
    document.getElementById("search-count").textContent = q ? `${matches.length} match${matches.length === 1 ? "" : "es"}` : "";
    highlight();
  }

  function applyZoom() {
    svg.setAttribute("width", String(width * zoom));
    svg.setAttribute("height", String(height * zoom));
    stickLabels();
  }

  // Keep lane labels in view while scrolling sideways.
  function stickLabels() {
    document.getElementById("labels").setAttribute("transform", `translate(${canvas.scrollLeft / zoom},0)`);
  }

  function syncCheckboxes() {
    for (const box of document.querySelectorAll("input[data-filter]")) {
      box.checked = (box.dataset.filter === "layer" ? shownLayers : shownHosts).has(box.value);
    }
  }

  for (const box of document.querySelectorAll("input[data-filter]")) {
    box.addEventListener("change", () => {
      const set = box.dataset.filter === "layer" ? shownLayers : shownHosts;
      if (box.checked) set.add(box.value); else set.delete(box.value);
      relayout();
    });
  }
  for (const button of document.querySelectorAll("button[data-all], button[data-none]")) {
    button.addEventListener("click", () => {
      const kind = button.dataset.all || button.dataset.none, on = Boolean(button.dataset.all);
      for (const box of document.querySelectorAll(`input[data-filter="${kind}"]`)) {
        const set = kind === "layer" ? shownLayers : shownHosts;
        if (on) set.add(box.value); else set.delete(box.value);
      }
      syncCheckboxes(); relayout();
    });
  }
  svg.addEventListener("click", (event) => {
    const res = event.target.closest(".res");
    select(res ? res.id : null);
  });
  svg.addEventListener("keydown", (event) => {
    const res = event.target.closest(".res");
    if (res && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); select(res.id); }
  });
  details.addEventListener("click", (event) => {
    const a = event.target.closest("a[data-go]");
    if (a) { select(a.dataset.go); reveal(a.dataset.go); }
  });
  const input = document.getElementById("search");
  input.addEventListener("input", () => {
    search(input.value);
    const first = matches.find(boxVisible);
    if (first) reveal(first);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !matches.length) return;
    const visible = matches.filter(boxVisible);
    const pool = visible.length ? visible : matches;
    matchAt = (matchAt + 1) % pool.length;
    reveal(pool[matchAt]);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { input.value = ""; search(""); select(null); }
  });
  document.getElementById("show-implied").addEventListener("change", (event) => showImplied(event.target.checked));
  document.getElementById("zoom-in").addEventListener("click", () => { zoom = Math.min(2, zoom * 1.25); applyZoom(); });
  document.getElementById("zoom-out").addEventListener("click", () => { zoom = Math.max(0.15, zoom / 1.25); applyZoom(); });
  document.getElementById("zoom-fit").addEventListener("click", () => { zoom = Math.min(1, canvas.clientWidth / width); applyZoom(); });
  canvas.addEventListener("scroll", stickLabels);
  relayout();

  // A link can open the page in a given state: #zoom=0.5&q=kubeadm&select=<resource name or URN>.
  const state = new URLSearchParams(location.hash.slice(1));
  if (state.has("zoom")) { zoom = Math.min(2, Math.max(0.15, Number(state.get("zoom")) || 1)); applyZoom(); }
  if (state.has("q")) { input.value = state.get("q"); input.dispatchEvent(new Event("input")); }
  if (state.has("select")) {
    const wanted = state.get("select");
    const hit = data.resources.find((r) => r.urn === wanted || r.name === wanted);
    if (hit) { select(hit.id); reveal(hit.id); }
  }
})();
