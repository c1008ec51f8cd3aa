// Runs in the browser that opens report.html: draws the charts with uPlot (inlined before it) from the JSON in
// #qtests-charts (see chartData.ts for its shape), and sorts the file table on a header's click.
// Plain ES2017, no modules: the page is opened from disk.

export const CLIENT_SCRIPT = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('qtests-charts').textContent);
  var palette = ['#2563eb', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#9333ea', '#0d9488'];
  var LEAK = '#dc2626', SUSPECT = '#d97706', MODE = '#ea580c';
  var stepped = uPlot.paths.stepped({ align: 1 });
  var fixed = function (digits, unit) { return function (u, v) { return v == null ? '—' : v.toFixed(digits) + unit; }; };

  function plot(id, options, columns) {
    var figure = document.getElementById(id);
    if (!figure) return;
    var target = figure.querySelector('.plot');
    options.width = Math.max(320, target.clientWidth || figure.clientWidth - 24);
    options.height = 240;
    options.scales = Object.assign({ x: { time: false } }, options.scales || {});
    new uPlot(options, columns, target);
  }

  function verticalLine(u, x, color, dash) {
    var ctx = u.ctx;
    var px = u.valToPos(x, 'x', true);
    ctx.save();
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash(dash.map(function (d) { return d * devicePixelRatio; }));
    ctx.beginPath();
    ctx.moveTo(px, u.bbox.top);
    ctx.lineTo(px, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.restore();
    return px;
  }

  if (data.memory) {
    var memory = data.memory;
    plot('chart-memory', {
      axes: [{ label: 'seconds' }, { label: 'MiB', size: 60 }],
      // From the run's start, like the workers chart below it.
      scales: { x: { time: false, range: function (u, min, max) { return [0, max]; } } },
      series: [{ label: 'time', value: fixed(2, ' s') }].concat(memory.lanes.map(function (lane, i) {
        return { label: lane.label, stroke: palette[i % palette.length], width: 2, spanGaps: false, value: fixed(1, ' MiB') };
      })),
      hooks: { draw: [function (u) {
        memory.boundaries.forEach(function (b) {
          var color = palette[b.lane % palette.length];
          var px = verticalLine(u, b.x, color, [4, 4]);
          u.ctx.save();
          u.ctx.fillStyle = color;
          u.ctx.font = (10 * devicePixelRatio) + 'px system-ui, sans-serif';
          u.ctx.fillText(b.file.split('/').pop(), px + 3 * devicePixelRatio, u.bbox.top + (11 + 12 * b.lane) * devicePixelRatio);
          u.ctx.restore();
        });
        var ctx = u.ctx, r = 7 * devicePixelRatio;
        memory.markers.forEach(function (m) {
          var x = u.valToPos(m.x, 'x', true), y = u.valToPos(m.mib, 'y', true);
          ctx.save();
          ctx.fillStyle = m.verdict === 'leak' ? LEAK : SUSPECT;
          ctx.beginPath();
          ctx.moveTo(x - r, y - 1.6 * r);
          ctx.lineTo(x + r, y - 1.6 * r);
          ctx.lineTo(x, y);
          ctx.closePath();
          ctx.fill();
          ctx.restore();
        });
      }] },
    }, [memory.x].concat(memory.lanes.map(function (lane) { return lane.mib; })));
  }

  if (data.scaling) {
    var s = data.scaling;
    var hasRss = s.rssMib.some(function (v) { return v != null; });
    var series = [
      { label: 'time', value: fixed(2, ' s') },
      { label: 'limit', stroke: palette[0], width: 2, paths: stepped, value: fixed(0, '') },
      { label: 'running', stroke: palette[1], width: 2, fill: 'rgba(5,150,105,0.12)', paths: stepped, value: fixed(0, '') },
    ];
    var columns = [s.x, s.limit, s.running];
    var axes = [{ label: 'seconds' }, { label: 'files', size: 50 }];
    var scales = { files: { range: function (u, min, max) { return [0, Math.max(1, max) + 1]; } } };
    series[1].scale = series[2].scale = 'files';
    axes[1].scale = 'files';
    if (hasRss) {
      series.push({ label: 'RSS', stroke: palette[2], width: 1.5, scale: 'mib', spanGaps: true, value: fixed(0, ' MiB') });
      columns.push(s.rssMib);
      axes.push({ label: 'MiB', scale: 'mib', side: 1, grid: { show: false }, size: 60 });
    }
    plot('chart-scaling', { series: series, axes: axes, scales: scales }, columns);
  }

  data.load.forEach(function (load, i) {
    plot('chart-load-' + i, {
      axes: [{ label: 'seconds' }, { label: 'ms', scale: 'ms', size: 60 }, { label: 'req/s', scale: 'rps', side: 1, grid: { show: false }, size: 60 }],
      series: [
        { label: 'time', value: fixed(0, ' s') },
        { label: 'p50', stroke: palette[0], width: 2, scale: 'ms', value: fixed(2, ' ms') },
        { label: 'p99', stroke: palette[3], width: 2, scale: 'ms', value: fixed(2, ' ms') },
        { label: 'requests/s', stroke: palette[1], width: 2, scale: 'rps', paths: stepped, value: fixed(0, '') },
      ],
      hooks: { draw: [function (u) {
        load.modeSwitches.forEach(function (m) {
          var px = verticalLine(u, m.x, MODE, [2, 3]);
          u.ctx.save();
          u.ctx.fillStyle = MODE;
          u.ctx.font = (11 * devicePixelRatio) + 'px system-ui, sans-serif';
          u.ctx.fillText(m.mode, px + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
          u.ctx.restore();
        });
      }] },
    }, [load.x, load.p50Ms, load.p99Ms, load.requestsPerSecond]);
  });

  Array.prototype.forEach.call(document.querySelectorAll('table.files-table'), function (table) {
    var heads = table.querySelectorAll('th[data-sort]');
    Array.prototype.forEach.call(heads, function (th, column) {
      function sort() {
        var direction = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', direction);
        var numeric = th.getAttribute('data-type') === 'number';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var va = a.cells[column].getAttribute('data-value'), vb = b.cells[column].getAttribute('data-value');
          // Unmeasured values stay last whichever way the column is sorted.
          if (numeric && (va === '' || vb === '')) return (va === '') - (vb === '');
          var order = numeric ? Number(va) - Number(vb) : va.localeCompare(vb);
          return direction === 'ascending' ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); sort(); }
      });
    });
  });
})();`
