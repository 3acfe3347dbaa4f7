// The chainviz live page. Every string that comes from a spec is written
// with textContent; the diagram is chainviz's own SVG (escaped by package
// render), parsed as XML and filtered to an allowlist of SVG elements and
// attributes before it is shown. Nothing from a spec is ever run.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG_NS = 'http://www.w3.org/2000/svg';
const STEP_MS = 700;

const state = {
  specs: [],
  path: null,
  view: 'full',
  data: null,     // The last answer of /api/spec for the selected spec.
  seq: 0,         // Sequence number of the latest refresh.
  rev: 0,         // Number of diagrams shown, for tests.
  picked: null,   // Name of the selected node.
  frames: [],
  timer: null,
  els: null,      // SVG elements by node and edge index.
  collapse: [],   // Names of the groups drawn as one box.
  focus: null,    // Name of the node whose neighbourhood alone is drawn.
};

// foldQuery returns the parameters that fold the diagram.
function foldQuery() {
  const q = {};
  if (state.collapse.length) q.collapse = state.collapse.join(',');
  if (state.focus) q.focus = state.focus;
  return q;
}

// setFold changes what is folded and draws the diagram again. Collapsing
// and focusing exclude each other.
function setFold(collapse, focus) {
  state.collapse = collapse;
  state.focus = focus;
  showFold();
  refresh();
}

function showFold() {
  const parts = [];
  if (state.collapse.length) parts.push('collapsed: ' + state.collapse.join(', '));
  if (state.focus) parts.push('focus: ' + state.focus);
  $('fold-text').textContent = parts.join(' · ');
  $('fold').hidden = parts.length === 0;
}

// --- Fetching -------------------------------------------------------

async function getJSON(url) {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error((await r.text()).trim() || r.statusText);
  return r.json();
}

function query(obj) {
  return new URLSearchParams(obj).toString();
}

// --- The list of specs ---------------------------------------------

async function loadSpecs() {
  const res = await getJSON('/api/specs');
  state.specs = res.specs;
  const hash = new URLSearchParams(location.hash.slice(1));
  if (!state.path) {
    const want = hash.get('path');
    state.path = state.specs.includes(want) ? want : (state.specs[0] || null);
    const view = hash.get('view');
    if (['full', 'forward', 'backward'].includes(view)) state.view = view;
  }
  showSpecs();
}

function showSpecs() {
  const ul = $('specs');
  ul.replaceChildren();
  for (const p of state.specs) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = p;
    b.dataset.path = p;
    b.classList.toggle('on', p === state.path);
    b.addEventListener('click', () => select(p));
    li.append(b);
    ul.append(li);
  }
  $('specs-empty').hidden = state.specs.length > 0;
}

async function select(path) {
  if (path === state.path) return;
  state.path = path;
  state.picked = null;
  state.collapse = [];
  state.focus = null;
  showFold();
  state.data = null;
  clearSide();
  showSpecs();
  await refresh();
}

function saveHash() {
  if (state.path) history.replaceState(null, '', '#' + query({ path: state.path, view: state.view }));
}

// --- One spec -------------------------------------------------------

async function refresh() {
  const path = state.path;
  saveHash();
  showViews();
  if (!path) {
    state.data = null;
    state.els = null;
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = 'No spec to show: save a .yaml spec in this folder.';
    $('diagram').replaceChildren(p);
    $('spec-name').textContent = '';
    $('loss').textContent = '';
    showProblems([], false);
    return;
  }
  const seq = ++state.seq;
  let data;
  try {
    data = await getJSON('/api/spec?' + query({ path, view: state.view, ...foldQuery() }));
  } catch (e) {
    if (seq !== state.seq) return;
    showProblems([{ severity: 'error', text: path + ': ' + e.message }], false);
    return;
  }
  if (seq !== state.seq) return; // A newer refresh is under way.
  const structureChanged = !sameStructure(state.data, data);
  state.data = data;
  $('spec-name').textContent = data.name || path;
  const out = data.nodes[data.output];
  $('loss').textContent = out ? out.name + ' = ' + data.loss : '';
  $('loss').classList.toggle('stale', !!data.stale);
  $('loss').title = data.stale ? 'the value of the last version that worked' : '';
  document.title = (data.name || path) + ' · chainviz live';
  showProblems(data.diagnostics, data.stale);
  if (data.svg) showSVG(data.svg);
  $('diagram').classList.toggle('stale', !!data.stale);
  showDownloads(data.ok);
  setupFrames(structureChanged);
  if (state.picked !== null) {
    const n = data.nodes.find((x) => x.name === state.picked);
    if (n) pick(n.id); else clearSide();
  }
  document.body.dataset.rev = String(++state.rev);
}

// sameStructure reports whether two answers draw the same graph, so that
// the step slider can stay where it is.
function sameStructure(a, b) {
  if (!a || !b || a.path !== b.path || a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length) return false;
  return a.nodes.every((n, i) => n.name === b.nodes[i].name);
}

function showProblems(diags, stale) {
  const ul = $('diagnostics');
  ul.replaceChildren();
  for (const d of diags) {
    const li = document.createElement('li');
    li.className = d.severity === 'warning' ? 'warning' : 'error';
    li.textContent = d.text;
    ul.append(li);
  }
  $('stale').hidden = !stale;
  $('problems').hidden = diags.length === 0;
}

function showDownloads(ok) {
  for (const a of document.querySelectorAll('.downloads a')) {
    const format = a.dataset.format;
    a.href = '/api/download?' + query({ path: state.path, format, view: state.view });
    a.setAttribute('aria-disabled', ok ? 'false' : 'true');
    a.title = ok ? 'Download ' + format.toUpperCase() : 'Fix the spec to download it';
  }
}

function showViews() {
  for (const b of document.querySelectorAll('.views button')) {
    b.classList.toggle('on', b.dataset.view === state.view);
  }
}

// --- The diagram ----------------------------------------------------

const TAGS = new Set(['svg', 'g', 'title', 'desc', 'defs', 'path', 'polygon', 'polyline', 'ellipse',
  'circle', 'rect', 'line', 'text', 'tspan']);
const ATTRS = new Set(['id', 'class', 'd', 'points', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r',
  'rx', 'ry', 'dx', 'dy', 'width', 'height', 'viewBox', 'transform', 'fill', 'fill-opacity', 'stroke',
  'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'stroke-linecap', 'stroke-linejoin', 'opacity',
  'font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor', 'text-decoration',
  'baseline-shift', 'dominant-baseline', 'preserveAspectRatio', 'xml:space']);

// sanitize removes every element and attribute outside the allowlists:
// no script, no foreignObject, no event handler, no link.
function sanitize(el) {
  for (const child of [...el.children]) {
    if (child.namespaceURI !== SVG_NS || !TAGS.has(child.localName)) child.remove();
    else sanitize(child);
  }
  for (const a of [...el.attributes]) {
    if (!ATTRS.has(a.name)) el.removeAttribute(a.name);
  }
}

function showSVG(text) {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.namespaceURI !== SVG_NS || svg.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) {
    showProblems([{ severity: 'error', text: 'the diagram could not be read' }], false);
    return;
  }
  sanitize(svg);
  const node = document.importNode(svg, true);
  $('diagram').replaceChildren(node);
  indexSVG(node);
}

// indexSVG finds the SVG group of every node (title "n3"), every wire
// (title "e4") and both halves of every edge ("n2->e4", "e4->n5").
function indexSVG(svg) {
  const els = { svg, nodes: [], edges: [] };
  const edge = (i) => (els.edges[i] ||= []);
  // A click on a group's frame collapses the group; a click on a
  // collapsed box expands it again.
  for (const g of svg.querySelectorAll('g.cluster')) {
    const name = (g.id || '').replace(/^group_/, '');
    if (!g.id.startsWith('group_') || !name) continue;
    g.classList.add('foldable');
    g.addEventListener('click', (ev) => {
      ev.stopPropagation();
      setFold([...state.collapse.filter((c) => c !== name), name], null);
    });
  }
  for (const g of svg.querySelectorAll('g.node')) {
    if (!(g.id || '').startsWith('box_')) continue;
    const name = g.id.slice(4);
    g.classList.add('foldable');
    g.addEventListener('click', (ev) => {
      ev.stopPropagation();
      setFold(state.collapse.filter((c) => c !== name && c !== 'all'), null);
    });
  }
  for (const g of svg.querySelectorAll('g.node, g.edge')) {
    const t = g.querySelector(':scope > title');
    if (!t) continue;
    const s = t.textContent;
    let m;
    if ((m = /^n(\d+)$/.exec(s))) {
      els.nodes[+m[1]] = g;
      g.addEventListener('click', (ev) => { ev.stopPropagation(); pick(+m[1]); });
      // A double click draws only the node's neighbourhood.
      g.addEventListener('dblclick', (ev) => {
        ev.stopPropagation();
        const n = state.data && state.data.nodes[+m[1]];
        if (n) setFold([], state.focus === n.name ? null : n.name);
      });
    } else if ((m = /^e(\d+)$/.exec(s))) {
      const i = +m[1];
      edge(i).push(g);
      g.addEventListener('click', (ev) => {
        ev.stopPropagation();
        if (state.data && state.data.edges[i]) pick(state.data.edges[i].from);
      });
    } else if ((m = /^([ne])(\d+)(?::[\w:]*)?->([ne])(\d+)/.exec(s))) {
      edge(m[1] === 'e' ? +m[2] : +m[4]).push(g);
    }
  }
  state.els = els;
}

function allEls() {
  const els = state.els;
  return els ? [...els.nodes.filter(Boolean), ...els.edges.flat()] : [];
}

function clearMarks(...classes) {
  for (const el of allEls()) el.classList.remove(...classes);
}

// --- Selecting a node -----------------------------------------------

// onPaths returns the nodes and edges on the paths from node k to the
// output. Nodes are in topological order and edges sorted by target, so
// one sweep each way suffices.
function onPaths(k) {
  const d = state.data;
  const toOut = new Set([d.output]);
  for (let i = d.edges.length - 1; i >= 0; i--) {
    if (toOut.has(d.edges[i].to)) toOut.add(d.edges[i].from);
  }
  const fromK = new Set([k]);
  for (const e of d.edges) if (fromK.has(e.from)) fromK.add(e.to);
  const nodes = new Set([...fromK].filter((n) => toOut.has(n)));
  const edges = [];
  d.edges.forEach((e, i) => { if (nodes.has(e.from) && nodes.has(e.to)) edges.push(i); });
  return { nodes, edges };
}

function pick(k) {
  const d = state.data;
  if (!d || !d.nodes[k] || !state.els) return;
  stopPlaying();
  setStep(0);
  const n = d.nodes[k];
  state.picked = n.name;
  const { nodes, edges } = onPaths(k);
  clearMarks('hl', 'picked');
  state.els.svg.classList.add('focus');
  for (const i of nodes) state.els.nodes[i]?.classList.add('hl');
  for (const i of edges) for (const el of state.els.edges[i] || []) el.classList.add('hl');
  state.els.nodes[k]?.classList.add('picked');
  showFacts(n);
  explain(n.name);
}

function unpick() {
  state.picked = null;
  if (state.els) {
    state.els.svg.classList.remove('focus');
    clearMarks('hl', 'picked');
  }
  clearSide();
}

function clearSide() {
  $('side-title').textContent = 'Derivation';
  $('side-hint').hidden = false;
  $('side-facts').replaceChildren();
  $('explain').textContent = '';
  $('explain').classList.remove('error');
}

function showFacts(n) {
  const out = state.data.nodes[state.data.output];
  $('side-title').textContent = '∂' + out.name + '/∂' + n.name;
  $('side-hint').hidden = true;
  const dl = $('side-facts');
  dl.replaceChildren();
  const fact = (k, v) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dl.append(dt, dd);
  };
  fact('node', n.name + ' (' + n.op + ')');
  fact('forward', n.forward);
  fact('gradient', n.grad ? '∂' + out.name + '/∂' + n.name + ' = ' + n.grad : 'none (a constant)');
}

async function explain(name) {
  const pre = $('explain');
  const path = state.path;
  pre.textContent = '…';
  pre.classList.remove('error');
  try {
    const res = await getJSON('/api/explain?' + query({ path, node: name }));
    if (state.path !== path || state.picked !== name) return;
    pre.textContent = res.error || res.text;
    pre.classList.toggle('error', !!res.error);
  } catch (e) {
    pre.textContent = e.message;
    pre.classList.add('error');
  }
}

// --- Stepping through the passes ------------------------------------

// setupFrames lists the positions of the slider: 0 shows the whole
// diagram, the others the steps the server sends, those of render.Steps and
// of `chainviz render --frames`: a title, the forward pass node by node, a
// title that seeds the gradient at the output, then the backward pass edge
// by edge from the output back.
function setupFrames(keepStep) {
  const d = state.data;
  state.frames = [{ pass: 'all' }, ...((d && d.steps) || [])];
  const slider = $('step');
  slider.max = String(state.frames.length - 1);
  if (!keepStep || +slider.value > state.frames.length - 1) slider.value = '0';
  setStep(+slider.value);
}

function setStep(f) {
  const slider = $('step');
  slider.value = String(f);
  const fr = state.frames[f] || { pass: 'all' };
  const d = state.data;
  const label = $('step-label');
  const caption = $('step-caption');
  if (!state.els || !d) return;
  const svg = state.els.svg;
  clearMarks('seen', 'cur', 'flowed', 'done');
  svg.classList.remove('stepping', 'back');
  if (fr.pass === 'all') {
    label.textContent = 'all';
    caption.textContent = '';
    return;
  }
  if (state.picked !== null) unpick();
  svg.classList.add('stepping');
  label.textContent = fr.pass + ' ' + f + '/' + (state.frames.length - 1);
  caption.textContent = fr.caption;
  const mark = (els, ...cls) => { for (const el of els || []) el?.classList.add(...cls); };
  if (fr.pass === 'forward') {
    // Node IDs are in topological order: the nodes up to the one the step
    // computes have their values; it and the edges into it are current.
    for (let i = 0; i <= fr.node; i++) mark([state.els.nodes[i]], 'seen');
    d.edges.forEach((e, i) => {
      if (e.to <= fr.node) mark(state.els.edges[i], 'seen');
      if (e.to === fr.node) mark(state.els.edges[i], 'cur');
    });
    if (fr.node >= 0) mark([state.els.nodes[fr.node]], 'cur');
    return;
  }
  svg.classList.add('back');
  mark(state.els.nodes, 'seen');
  mark(state.els.edges.flat(), 'seen');
  // The edges followed up to this step have carried their gradient; a
  // node's gradient is done when every edge out of it has.
  const pending = new Map();
  d.edges.forEach((x) => pending.set(x.from, (pending.get(x.from) || 0) + 1));
  for (let k = 1; k <= f; k++) {
    const s = state.frames[k];
    if (s.pass !== 'backward' || s.edge < 0) continue;
    const e = d.edges[s.edge];
    if (e.flows) mark(state.els.edges[s.edge], 'flowed');
    pending.set(e.from, pending.get(e.from) - 1);
  }
  const hasGrad = (i) => i === d.output || !!d.nodes[i].grad;
  d.nodes.forEach((n, i) => {
    if (hasGrad(i) && (i === d.output || pending.get(i) === 0)) mark([state.els.nodes[i]], 'done');
  });
  if (fr.edge >= 0) mark(state.els.edges[fr.edge], 'cur');
  mark([state.els.nodes[fr.node]], 'cur');
}

function play() {
  if (state.timer) { stopPlaying(); return; }
  const slider = $('step');
  if (+slider.value >= state.frames.length - 1) setStep(0);
  $('play').textContent = '❚❚';
  state.timer = setInterval(() => {
    const next = +slider.value + 1;
    if (next >= state.frames.length) { stopPlaying(); return; }
    setStep(next);
  }, STEP_MS);
}

function stopPlaying() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
  $('play').textContent = '▶';
}

// --- Live updates ---------------------------------------------------

function connect() {
  const es = new EventSource('/api/events');
  const live = $('live');
  es.addEventListener('hello', async () => {
    document.body.dataset.live = 'on';
    live.textContent = 'live';
    // Whatever changed while disconnected is fetched again.
    await loadSpecs();
    await refresh();
  });
  es.addEventListener('change', async (ev) => {
    const { paths } = JSON.parse(ev.data);
    const before = state.path;
    await loadSpecs();
    if (!state.specs.includes(state.path)) {
      // The selected spec was removed or renamed: show another one.
      state.path = state.specs[0] || null;
      state.picked = null;
      clearSide();
      showSpecs();
    }
    if (state.path !== before || paths.includes(state.path) || !state.data) await refresh();
  });
  es.addEventListener('error', () => {
    document.body.dataset.live = 'off';
    live.textContent = 'offline (retrying)';
  });
}

function init() {
  for (const b of document.querySelectorAll('.views button')) {
    b.addEventListener('click', () => {
      state.view = b.dataset.view;
      refresh();
    });
  }
  $('play').addEventListener('click', play);
  $('unfold').addEventListener('click', () => setFold([], null));
  $('zoom').addEventListener('click', () => {
    const actual = $('diagram').classList.toggle('actual');
    $('zoom').textContent = actual ? 'fit to page' : 'actual size';
  });
  $('step').addEventListener('input', (ev) => { stopPlaying(); setStep(+ev.target.value); });
  $('diagram').addEventListener('click', () => { if (state.picked !== null) unpick(); });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { stopPlaying(); unpick(); setStep(0); }
  });
  loadSpecs().then(refresh).catch((e) => {
    showProblems([{ severity: 'error', text: 'cannot list the specs: ' + e.message }], false);
  });
  connect();
}

init();
