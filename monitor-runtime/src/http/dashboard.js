// The built-in dashboard's script: draws the charts of the last hour and keeps the
// page up to date from dashboard/data.json, without reloading it. Every URL is
// relative to the page, so the dashboard works under any prefix.
"use strict";
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
  var MAX_LINES = 8;
  var refresh = Number(document.body.getAttribute("data-refresh-ms")) || 2000;
  // The trace UI address the server checked (http or https, with {trace_id}); the
  // check is repeated here so that nothing else ever becomes a link.
  var traceUi = document.body.getAttribute("data-trace-ui");
  if (!traceUi || !/^https?:\/\/[^\/?#]/i.test(traceUi) || traceUi.indexOf("{trace_id}") < 0) traceUi = null;
  var TRACE_ID = /^[0-9a-f]{32}$/;
  var updates = 0;

  function text(node, value) {
    if (node && node.textContent !== String(value)) node.textContent = String(value);
  }

  function fmtSeconds(v) {
    if (v === null || v === undefined) return "–";
    if (v >= 1) return v.toFixed(2) + " s";
    if (v >= 1e-3) return (v * 1e3).toFixed(2) + " ms";
    return (v * 1e6).toFixed(1) + " µs";
  }

  function fmtValue(metric, v) {
    if (metric === "error_ratio") return (v * 100).toFixed(1) + " %";
    if (metric === "rate") return v.toPrecision(3) + "/s";
    return fmtSeconds(v);
  }

  // One polyline per series over the shared time axis; returns the points drawn.
  function draw(svg, times, lines, metric) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var width = 420, height = 150, pad = 4;
    var t0 = times.length ? times[0] : 0, t1 = times.length ? times[times.length - 1] : 1;
    var max = 0;
    lines.forEach(function (line) {
      line.values.forEach(function (v) { if (v !== null && v > max) max = v; });
    });
    if (metric === "error_ratio") max = Math.max(max, 0.01);
    if (max <= 0) max = 1;
    var points = 0;
    lines.forEach(function (line, index) {
      var coords = [];
      line.values.forEach(function (v, i) {
        if (v === null || v === undefined) return;
        var x = t1 > t0 ? pad + (times[i] - t0) / (t1 - t0) * (width - 2 * pad) : width / 2;
        var y = height - pad - v / max * (height - 2 * pad);
        coords.push(x.toFixed(1) + "," + y.toFixed(1));
      });
      if (!coords.length) return;
      if (coords.length === 1) coords.push(coords[0]);
      var polyline = document.createElementNS(SVG, "polyline");
      polyline.setAttribute("points", coords.join(" "));
      polyline.setAttribute("fill", "none");
      polyline.setAttribute("stroke", COLORS[index % COLORS.length]);
      polyline.setAttribute("stroke-width", "1.5");
      polyline.setAttribute("vector-effect", "non-scaling-stroke");
      var title = document.createElementNS(SVG, "title");
      title.textContent = line.label;
      polyline.appendChild(title);
      svg.appendChild(polyline);
      points += coords.length;
    });
    var label = document.createElementNS(SVG, "text");
    label.setAttribute("x", "6");
    label.setAttribute("y", "14");
    label.setAttribute("font-size", "11");
    label.setAttribute("fill", "#555");
    label.textContent = "max " + fmtValue(metric, max);
    svg.appendChild(label);
    svg.setAttribute("data-points", String(points));
    return points;
  }

  function legend(node, lines) {
    if (!node) return;
    while (node.firstChild) node.removeChild(node.firstChild);
    lines.forEach(function (line, index) {
      var span = document.createElement("span");
      span.style.color = COLORS[index % COLORS.length];
      span.textContent = "■ " + line.label;
      node.appendChild(span);
    });
  }

  function busiest(rows) {
    return rows.slice().sort(function (a, b) { return b.calls - a.calls; }).slice(0, MAX_LINES);
  }

  function charts(id, rows, times) {
    var svgs = document.querySelectorAll('svg[data-chart="' + id + '"]');
    Array.prototype.forEach.call(svgs, function (svg) {
      var metric = svg.getAttribute("data-metric");
      var lines = busiest(rows).map(function (row) {
        return { label: row.group + " " + row.name, values: row.series[metric] || [] };
      });
      draw(svg, times, lines, metric);
      legend(svg.parentNode.querySelector(".legend"), lines);
    });
  }

  function sparks(business, times) {
    business.forEach(function (metric) {
      var svg = document.querySelector('svg[data-spark="' + CSS.escape(metric.name) + '"]');
      if (!svg) return;
      var values = metric.kind === "gauge" ? metric.series.value : metric.series.rate;
      svg.setAttribute("viewBox", "0 0 420 150");
      draw(svg, times, [{ label: metric.name, values: values }], metric.kind === "gauge" ? "value" : "rate");
    });
  }

  function rowOf(table, key) {
    if (!table) return null;
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute("data-key") === key) return rows[i];
    return null;
  }

  function cell(row, field) { return row ? row.querySelector('[data-field="' + field + '"]') : null; }

  // The columns of the function and route tables: what counts (calls, errors, in
  // progress), what covers the recent past, and the trace that explains the p99.
  var CALLS = 2, ERRORS = 3, RATE = 4, RATIO = 5, IN_FLIGHT = 6, MEAN = 7, P50 = 8, P95 = 9, P99 = 10, TRACE = 11;

  // A percentile as the server writes it: the bucket it lies in on hover.
  function quantile(td, q) {
    if (!td) return;
    if (!q) { text(td, "–"); td.removeAttribute("title"); return; }
    var upper = q.upper === null ? "+Inf" : fmtSeconds(q.upper);
    var shown = q.upper === null ? "> " + fmtSeconds(q.lower)
      : q.lower <= 0 ? "≤ " + upper : "≈ " + fmtSeconds(q.value);
    text(td, shown);
    var title = "between " + fmtSeconds(q.lower) + " and " + upper;
    if (td.title !== title) td.title = title;
  }

  // The trace of a call that explains the p99: its whole id (the style shortens it
  // on screen), a link to the trace UI when there is one.
  function trace(td, exemplar) {
    if (!td) return;
    var id = exemplar && TRACE_ID.test(exemplar.trace_id) ? exemplar.trace_id : null;
    var shown = td.querySelector(".trace");
    var title = id ? "trace " + id + ": a call of " + fmtSeconds(exemplar.seconds) + " at the p99 or slower" : "";
    if (shown && id && shown.getAttribute("data-trace-id") === id) {
      if (shown.title !== title) shown.title = title;
      return;
    }
    while (td.firstChild) td.removeChild(td.firstChild);
    if (!id) { td.textContent = "–"; return; }
    var node = document.createElement(traceUi ? "a" : "code");
    node.className = "trace";
    node.setAttribute("data-trace-id", id);
    node.title = title;
    node.textContent = id;
    if (traceUi) {
      node.href = traceUi.split("{trace_id}").join(id);
      node.rel = "noopener noreferrer";
      node.target = "_blank";
    }
    td.appendChild(node);
  }

  // The figures of the recent past, the percentiles and the trace beside them.
  function recent(id, rows) {
    var table = document.getElementById(id);
    rows.forEach(function (figures) {
      var row = rowOf(table, figures.group + "\u001f" + figures.name);
      if (!row) return;
      var r = figures.recent;
      text(row.cells[RATE], r.rate === null ? "–" : r.rate.toFixed(2));
      text(row.cells[RATIO], r.error_ratio === null ? "–" : (r.error_ratio * 100).toFixed(1) + " %");
      row.cells[RATIO].className = r.error_ratio > 0 ? "bad" : "";
      text(row.cells[MEAN], fmtSeconds(r.mean_seconds));
      quantile(row.cells[P50], r.p50);
      quantile(row.cells[P95], r.p95);
      quantile(row.cells[P99], r.p99);
      trace(row.cells[TRACE], figures.p99_exemplar);
    });
  }

  function live(id, rows) {
    var table = document.getElementById(id);
    rows.forEach(function (figures) {
      var row = rowOf(table, figures.group + "\u001f" + figures.name);
      if (!row) return;
      text(row.cells[CALLS], figures.calls);
      text(row.cells[ERRORS], figures.errors);
      text(row.cells[IN_FLIGHT], figures.in_flight);
    });
  }

  function health(view) {
    var status = document.getElementById("health-status");
    if (status) { text(status, view.status); status.className = "status " + view.status; }
    var table = document.getElementById("health");
    view.checks.forEach(function (check) {
      var row = rowOf(table, check.name);
      var span = cell(row, "status");
      if (span) { text(span, check.status); span.className = "status " + check.status; }
      if (view.detailed) text(cell(row, "reason"), check.reason || "");
    });
  }

  function bytes(v) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], u = 0;
    while (v >= 1024 && u + 1 < units.length) { v /= 1024; u++; }
    return v.toFixed(1) + " " + units[u];
  }

  function system(view) {
    var table = document.getElementById("system");
    if (!table) return;
    var set = function (field, value) { text(table.querySelector('[data-field="' + field + '"]'), value); };
    if (view.host_cpu_utilization !== null) set("host_cpu", (view.host_cpu_utilization * 100).toFixed(1) + " %");
    if (view.host_memory_used_bytes !== null) set("host_memory", bytes(view.host_memory_used_bytes) + " of " + bytes(view.host_memory_size_bytes));
    if (view.process_cpu_seconds !== null) set("process_cpu", view.process_cpu_seconds.toFixed(2) + " s");
    if (view.process_resident_memory_bytes !== null) set("process_memory", bytes(view.process_resident_memory_bytes));
    if (view.process_open_fds !== null) set("process_fds", view.process_open_fds + (view.process_max_fds !== null ? " of " + view.process_max_fds : ""));
  }

  function business(values) {
    var table = document.getElementById("business");
    values.forEach(function (metric) { text(cell(rowOf(table, metric.name), "value"), metric.value); });
  }

  function apply(data) {
    var times = data.history.times;
    charts("functions", data.history.functions, times);
    charts("routes", data.history.routes, times);
    sparks(data.history.business, times);
    recent("functions", data.history.functions);
    recent("routes", data.history.routes);
    live("functions", data.live.functions);
    live("routes", data.live.routes);
    business(data.live.business);
    health(data.health);
    system(data.system);
    updates++;
    document.body.setAttribute("data-updates", String(updates));
    text(document.getElementById("updated"), "History: " + data.samples + " readings, one every " +
      data.interval_seconds + " s, kept for " + data.retention_seconds / 60 + " min. Updated " +
      new Date().toLocaleTimeString() + ".");
  }

  function alerts() {
    var box = document.getElementById("alerts");
    if (!box) return;
    fetch("alerts", { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (response) {
      if (response.status === 404) { box.textContent = "alerts not enabled"; box.setAttribute("data-state", "disabled"); return null; }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (body) {
      if (!body) return;
      var list = body.alerts || [];
      while (box.firstChild) box.removeChild(box.firstChild);
      box.setAttribute("data-state", "enabled");
      if (!list.length) { box.textContent = "No active alert."; return; }
      var table = document.createElement("table");
      var head = table.createTHead().insertRow();
      ["alert", "state", "severity", "since", "value", "summary"].forEach(function (name) {
        var th = document.createElement("th"); th.className = "text"; th.textContent = name; head.appendChild(th);
      });
      var tbody = table.createTBody();
      list.forEach(function (alert) {
        var row = tbody.insertRow();
        [alert.name, alert.state, alert.severity, alert.active_since, alert.value,
          (alert.annotations && (alert.annotations.summary || alert.annotations.description)) || ""]
          .forEach(function (value) {
            var td = row.insertCell(); td.className = "text"; td.textContent = value === null || value === undefined ? "" : String(value);
          });
        if (alert.severity === "critical") row.className = "bad";
      });
      box.appendChild(table);
    }).catch(function (error) { box.textContent = "alerts unavailable: " + error.message; });
  }

  function poll() {
    fetch("dashboard/data.json", { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error("HTTP " + response.status); return response.json(); })
      .then(apply)
      .catch(function (error) { text(document.getElementById("updated"), "Update failed: " + error.message); })
      .then(function () { alerts(); setTimeout(poll, refresh); });
  }

  function sortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, column) {
      th.title = "sort";
      th.addEventListener("click", function () {
        var descending = th.getAttribute("data-sort") !== "desc";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("data-sort"); });
        th.setAttribute("data-sort", descending ? "desc" : "asc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].textContent, y = b.cells[column].textContent;
          var nx = parseFloat(x.replace(/[^0-9.eE+-]/g, "")), ny = parseFloat(y.replace(/[^0-9.eE+-]/g, ""));
          var order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function filterable(input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    input.addEventListener("input", function () {
      var wanted = input.value.toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = wanted !== "" && row.textContent.toLowerCase().indexOf(wanted) < 0;
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), sortable);
  Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), filterable);
  poll();
})();
