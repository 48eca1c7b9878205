"""The HTML report's inline style sheet and script (no network: the page opens from disk).

The script filters and sorts the findings table.  Filter and sort can also be given in the
address's fragment (``report.html#severity=error&category=ndc&q=J9312&sort=claim``, ``sortdesc=``
for descending), which makes a filtered view shareable and lets a headless browser test the
filter without typing.
"""

CSS = """
:root { --err: #b3261e; --warn: #9a6700; --info: #0b6e99; --ok: #1a7f37; --line: #d0d7de; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto;
       max-width: 1280px; padding: 0 20px 40px; color: #1f2328; }
h1 { margin: 18px 0 4px; font-size: 24px; } h2 { border-bottom: 2px solid var(--line); padding-bottom: 4px;
margin-top: 32px; } h3 { margin: 0; font-size: 16px; }
.meta { color: #59636e; margin: 0 0 12px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 130px; }
.card b { display: block; font-size: 22px; } .card.risk b { color: var(--err); }
.sev { display: inline-block; padding: 0 6px; border-radius: 10px; color: #fff; font-size: 12px; }
.sev-error { background: var(--err); } .sev-warning { background: var(--warn); }
.sev-info { background: var(--info); } .sev-clean { background: var(--ok); }
.charts { display: flex; flex-wrap: wrap; gap: 24px; } .charts figure { margin: 0; }
.controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 8px 0; }
.controls input { width: 280px; padding: 4px; }
#findings-table th { cursor: pointer; user-select: none; }
#findings-table th[aria-sort=ascending]::after { content: " \\25B2"; }
#findings-table th[aria-sort=descending]::after { content: " \\25BC"; }
.tablewrap { max-height: 640px; overflow: auto; border: 1px solid var(--line); }
.claim { border: 1px solid var(--line); border-radius: 6px; margin: 14px 0; padding: 10px 14px; }
.claim-head { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 6px 0; }
.claim-head span i { color: #59636e; font-style: normal; }
tr.finding td { background: #fff8f6; border-top: none; } tr.finding.warning td { background: #fffbea; }
tr.finding.info td { background: #f1f8ff; }
.why { color: #59636e; } .fix { color: var(--ok); } .fix.unsafe { color: var(--warn); }
.before { color: var(--err); font-family: monospace; white-space: pre-wrap; word-break: break-all; }
.after { color: var(--ok); font-family: monospace; white-space: pre-wrap; word-break: break-all; }
details.explain { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 10px; }
details.explain summary { cursor: pointer; font-weight: 600; }
details.explain pre { white-space: pre-wrap; margin: 6px 0; }
.note { color: #59636e; font-style: italic; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
@media print { .controls, .tablewrap { max-height: none; overflow: visible; } }
"""

JS = """
(function () {
  var table = document.getElementById('findings-table');
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var q = document.getElementById('filter-text');
  var sev = document.getElementById('filter-severity');
  var cat = document.getElementById('filter-category');
  var shown = document.getElementById('shown-count');
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  function apply(event) {
    var needle = q.value.trim().toLowerCase(), s = sev.value, c = cat.value, n = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var ok = (!s || r.getAttribute('data-severity') === s) &&
               (!c || r.getAttribute('data-category') === c) &&
               (!needle || texts[i].indexOf(needle) !== -1);
      r.hidden = !ok;
      if (ok) { n++; }
    }
    shown.textContent = n + ' of ' + rows.length;
    var parts = [];
    if (s) { parts.push('severity=' + encodeURIComponent(s)); }
    if (c) { parts.push('category=' + encodeURIComponent(c)); }
    if (needle) { parts.push('q=' + encodeURIComponent(needle)); }
    if (event && window.history && history.replaceState) {
      history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname);
    }
  }
  function fromHash() {
    var h = location.hash.replace(/^#/, '');
    if (!h || h.indexOf('=') === -1) { return; }
    h.split('&').forEach(function (kv) {
      var p = kv.split('='), v = decodeURIComponent(p[1] || '');
      if (p[0] === 'severity') { sev.value = v; }
      if (p[0] === 'category') { cat.value = v; }
      if (p[0] === 'q') { q.value = v; }
      if (p[0] === 'sort' || p[0] === 'sortdesc') { sortBy = [v, p[0] === 'sort']; }
    });
  }
  var sortBy = null;
  var heads = table.tHead.rows[0].cells;
  function sort(th, col, asc) {
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var numeric = th.classList.contains('num');
      var keyed = rows.map(function (r, i) {
        var cell = r.cells[col], v = cell.getAttribute('data-sort') || cell.textContent;
        return [numeric ? (parseFloat(v) || 0) : v.toLowerCase(), i, r];
      });
      keyed.sort(function (a, b) {
        if (a[0] < b[0]) { return asc ? -1 : 1; }
        if (a[0] > b[0]) { return asc ? 1 : -1; }
        return a[1] - b[1];
      });
      var frag = document.createDocumentFragment();
      keyed.forEach(function (k) { frag.appendChild(k[2]); });
      body.appendChild(frag);
      rows = keyed.map(function (k) { return k[2]; });
      texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  }
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener('click', function () {
      sort(th, col, th.getAttribute('aria-sort') !== 'ascending');
    });
  });
  [q, sev, cat].forEach(function (el) { el.addEventListener('input', apply); });
  fromHash();
  if (sortBy) {
    Array.prototype.forEach.call(heads, function (th, col) {
      if (th.textContent === sortBy[0]) { sort(th, col, sortBy[1]); }
    });
  }
  apply();
})();
"""
