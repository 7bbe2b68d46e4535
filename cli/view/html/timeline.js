/*
 * forkscope export --html: draws the process timeline from the JSON in
 * #fs-data (docs/json.md, "export --html").
 *
 * A lane per process, children under their parent. The lanes' labels are
 * DOM elements (.lane, with data-pid and the spans drawn for it: what a
 * test or a screen reader finds); the spans, markers and arrows are drawn
 * on one canvas the size of the visible part, rows outside the view not
 * at all: an SVG element per span and marker would be tens of thousands
 * of nodes for a few thousand processes, each restyled on every zoom.
 *
 * Every traced string is set with textContent, never parsed as HTML: an
 * argv can hold "<script>".
 */
(function () {
	'use strict';

	var began = performance.now();
	var D = JSON.parse(document.getElementById('fs-data').textContent);
	var meta = D.meta || {};
	var procs = D.procs || [];
	var ROW = 18, MAX_INDENT = 12;
	var css = getComputedStyle(document.documentElement);
	var C = {};
	['run', 'run-before', 'zombie', 'wait', 'exec', 'exit', 'fork',
	 'reap', 'stripe', 'grid', 'text', 'muted'].forEach(function (k) {
		C[k] = css.getPropertyValue('--' + k).trim();
	});

	var $ = function (id) { return document.getElementById(id); };
	var scroller = $('scroller'), labels = $('labels'), plot = $('plot');
	var canvas = $('canvas'), axis = $('axis'), tip = $('tip');
	var ctx = canvas.getContext('2d'), actx = axis.getContext('2d');

	/* Times are ns since the recording began (meta.start_ns). */
	var t0 = 0, t1 = Math.max(1e6, (meta.end_ns || 0) - (meta.start_ns || 0));
	procs.forEach(function (p) {
		(p.events || []).forEach(function (e) {
			t1 = Math.max(t1, e.t);
		});
		[p.exit, p.reap].forEach(function (t) {
			if (t != null)
				t1 = Math.max(t1, t);
		});
	});
	var full = t1 - t0;
	var v0, v1;		/* the time range in view */

	/* ---- text ---- */

	function dur(ns) {
		var a = Math.abs(ns), s;

		if (a < 1e3)
			s = Math.round(a) + ' ns';
		else if (a < 1e6)
			s = (a / 1e3).toPrecision(3) + ' \u00b5s';
		else if (a < 1e9)
			s = (a / 1e6).toPrecision(3) + ' ms';
		else if (a < 60e9)
			s = (a / 1e9).toPrecision(4) + ' s';
		else
			s = Math.floor(a / 60e9) + 'm' +
			    ((a % 60e9) / 1e9).toFixed(1) + 's';
		return (ns < 0 ? '-' : '') + s;
	}

	function at(ns) {
		return ns < 0 ? dur(ns) : '+' + dur(ns);
	}

	function name(p) {
		return p.pid + ' ' + p.comm;
	}

	/* ---- lanes: a depth-first walk, children by start ---- */

	function startOf(p) {
		return p.start == null ? -Infinity : p.start;
	}

	function byStart(a, b) {
		return startOf(procs[a]) - startOf(procs[b]) || a - b;
	}

	var kids = procs.map(function () { return []; }), roots = [];
	procs.forEach(function (p, i) {
		p.id = i;
		if (p.parent >= 0 && p.parent < procs.length && p.parent !== i)
			kids[p.parent].push(i);
		else
			roots.push(i);
	});
	kids.forEach(function (k) { k.sort(byStart); });
	roots.sort(byStart);

	/* Iterative: a fork chain can be thousands deep. */
	var lanes = [], stack = roots.slice().reverse().map(function (i) {
		return [i, 0];
	});
	while (stack.length) {
		var top = stack.pop(), p = procs[top[0]];

		if (p.row != null)
			continue;	/* a cycle in bad data: draw it once */
		p.row = lanes.length;
		p.depth = top[1];
		lanes.push(p);
		for (var k = kids[p.id].length - 1; k >= 0; k--)
			stack.push([kids[p.id][k], p.depth + 1]);
	}

	function evOf(p, kind) {
		var ev = p.events || [];

		for (var i = 0; i < ev.length; i++)
			if (ev[i].kind === kind)
				return ev[i];
		return null;
	}

	/*
	 * What a lane shows: running from its fork (or since before the
	 * recording) to its exit, a zombie from then until reaped, and the
	 * waits it slept in. The DOM lists the same kinds.
	 */
	function spans(p) {
		var end = p.exit != null ? p.exit : p.reap != null ? p.reap : t1;
		var from = startOf(p), s = [];

		s.push({ kind: 'running', a: Math.max(from, t0), b: end,
			 before: from < t0 });
		if (p.exit != null && (p.reap == null || p.reap > p.exit))
			s.push({ kind: 'zombie', a: p.exit,
				 b: p.reap != null ? p.reap : t1,
				 open: p.reap == null });
		(p.events || []).forEach(function (e) {
			if (e.kind === 'waited' && e.begin != null)
				s.push({ kind: 'wait', a: e.begin, b: e.t, ev: e });
		});
		return s;
	}

	/*
	 * The points to hover on a lane: its own events, its birth (the
	 * parent's fork) and the reaps it did (the child's reap).
	 */
	function marks(p) {
		var m = [];

		(p.events || []).forEach(function (e) {
			if (e.kind !== 'wait' && e.kind !== 'waited')
				m.push({ t: e.t, kind: e.kind, ev: e, p: p });
		});
		return m;
	}

	lanes.forEach(function (p) {
		p.spans = spans(p);
		p.marks = marks(p);
	});
	lanes.forEach(function (p) {
		var par = p.parent >= 0 ? procs[p.parent] : null;
		var f = par && (par.events || []).filter(function (e) {
			return e.kind === 'fork' && e.child === p.id;
		})[0];
		var r = p.reaper_id >= 0 ? procs[p.reaper_id] : null;

		if (f)
			p.marks.push({ t: f.t, kind: 'born', ev: f, p: par });
		if (r && p.reap != null)
			r.marks.push({ t: p.reap, kind: 'reaped', p: p,
				       ev: evOf(p, 'reap') });
	});

	/* ---- the DOM: header and one element per lane ---- */

	function metaItem(label, value, cls) {
		var div = document.createElement('div');
		var dt = document.createElement('dt');
		var dd = document.createElement('dd');

		if (value == null || value === '')
			return;
		dt.textContent = label;
		dd.textContent = value;
		if (cls)
			dd.className = cls;
		div.appendChild(dt);
		div.appendChild(dd);
		$('meta').appendChild(div);
	}

	function header() {
		var zombies = 0;

		lanes.forEach(function (p) {
			if (p.exit != null && p.reap == null)
				zombies++;
		});
		$('host').textContent = meta.hostname || '';
		document.title = 'forkscope timeline: ' + (meta.hostname || '') +
			(meta.recorded_at ? ', ' + meta.recorded_at : '');
		metaItem('host', meta.hostname);
		metaItem('kernel', meta.kernel);
		metaItem('recorded', meta.recorded_at);
		metaItem('for', dur(full));
		metaItem('command', meta.command, 'cmd');
		metaItem('pid', meta.select_pid ? meta.select_pid + ' and its descendants' : '');
		metaItem('source', meta.source);
		metaItem('processes', lanes.length + (zombies ?
			' (' + zombies + ' still zombies at the end)' : ''));
	}

	function laneEnd(p) {
		if (p.exit == null)
			return '';
		if (p.reap == null)
			return 'zombie, ' + (p.status || 'exited');
		return p.status || 'exited';
	}

	function laneElement(p) {
		var el = document.createElement('div');
		var pid = document.createElement('span');
		var comm = document.createElement('span');
		var end = document.createElement('span');
		var kinds = [];

		p.spans.forEach(function (s) {
			if (kinds.indexOf(s.kind) < 0)
				kinds.push(s.kind);
		});
		el.className = 'lane';
		el.dataset.pid = p.pid;
		el.dataset.ppid = p.ppid;
		el.dataset.row = p.row;
		el.dataset.depth = p.depth;
		el.dataset.spans = kinds.join(' ');
		if (p.exit != null && p.reap == null)
			el.dataset.zombieAtEnd = '';
		/* Deeper than MAX_INDENT: said in words, not in pixels. */
		el.style.paddingLeft = 6 + Math.min(p.depth, MAX_INDENT) * 12 +
			'px';
		if (p.depth > MAX_INDENT) {
			var deep = document.createElement('span');

			deep.className = 'deep';
			deep.textContent = '\u2026' + p.depth + ' ';
			el.appendChild(deep);
		}
		pid.className = 'pid';
		pid.textContent = p.pid;
		comm.className = 'comm';
		comm.textContent = p.comm;
		end.className = 'end';
		end.textContent = laneEnd(p);
		el.appendChild(pid);
		el.appendChild(document.createTextNode(' '));
		el.appendChild(comm);
		el.appendChild(document.createTextNode(' '));
		el.appendChild(end);
		p.el = el;
		return el;
	}

	function buildLanes() {
		var frag = document.createDocumentFragment();

		lanes.forEach(function (p) { frag.appendChild(laneElement(p)); });
		labels.appendChild(frag);
		labels.dataset.count = lanes.length;
		$('rows').style.height = lanes.length * ROW + 'px';
	}

	/* ---- drawing ---- */

	var W = 0, H = 0, dpr = 1, zombieFill = null;

	function X(t) {
		return (t - v0) / (v1 - v0) * W;
	}

	function T(x) {
		return v0 + x / W * (v1 - v0);
	}

	function hatch() {
		var c = document.createElement('canvas'), g;

		c.width = c.height = 6;
		g = c.getContext('2d');
		g.fillStyle = '#f3b3a9';
		g.fillRect(0, 0, 6, 6);
		g.strokeStyle = C.zombie;
		g.lineWidth = 2.5;
		g.beginPath();
		g.moveTo(-1, 7);
		g.lineTo(7, -1);
		g.moveTo(5, 7);
		g.lineTo(7, 5);
		g.moveTo(-1, 1);
		g.lineTo(1, -1);
		g.stroke();
		return ctx.createPattern(c, 'repeat');
	}

	function size() {
		dpr = window.devicePixelRatio || 1;
		W = plot.clientWidth;
		H = scroller.clientHeight;
		canvas.style.height = H + 'px';
		canvas.width = Math.max(1, Math.round(W * dpr));
		canvas.height = Math.max(1, Math.round(H * dpr));
		axis.width = Math.max(1, Math.round(axis.clientWidth * dpr));
		axis.height = Math.max(1, Math.round(axis.clientHeight * dpr));
		zombieFill = hatch();
	}

	/* A tick's time, in the unit of the step between ticks. */
	function tickLabel(t, step) {
		var u = step >= 1e9 ? [1e9, 's'] : step >= 1e6 ? [1e6, 'ms'] :
			step >= 1e3 ? [1e3, '\u00b5s'] : [1, 'ns'];
		var digits = Math.max(0, Math.ceil(-Math.log10(step / u[0]) - 1e-9));

		if (Math.abs(t) < step / 2)
			return '0';
		return (t > 0 ? '+' : '\u2212') +
			Math.abs(t / u[0]).toFixed(digits) + ' ' + u[1];
	}

	/* A round step near 90 px wide: 1, 2 or 5 times a power of ten. */
	function tickStep() {
		var raw = (v1 - v0) * 90 / Math.max(W, 1);
		var p = Math.pow(10, Math.floor(Math.log10(raw)));

		return raw <= p ? p : raw <= 2 * p ? 2 * p :
		       raw <= 5 * p ? 5 * p : 10 * p;
	}

	function drawAxis(step) {
		var w = axis.clientWidth, h = axis.clientHeight;

		actx.setTransform(dpr, 0, 0, dpr, 0, 0);
		actx.clearRect(0, 0, w, h);
		actx.fillStyle = C.muted;
		actx.strokeStyle = C.grid;
		actx.font = '11px "DejaVu Sans", sans-serif';
		actx.textBaseline = 'middle';
		for (var t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
			var x = Math.round(X(t)) + 0.5;

			actx.beginPath();
			actx.moveTo(x, h - 6);
			actx.lineTo(x, h);
			actx.stroke();
			actx.fillText(tickLabel(t, step), x + 3, h / 2);
		}
	}

	function rowY(p) {
		return p.row * ROW - scroller.scrollTop;
	}

	function clampX(x) {
		return Math.max(-10, Math.min(W + 10, x));
	}

	function drawSpan(p, s, y) {
		var a = clampX(X(s.a)), b = clampX(X(s.b));

		if (b < 0 || a > W)
			return;
		if (s.kind === 'running') {
			ctx.fillStyle = s.before ? C['run-before'] : C.run;
			ctx.fillRect(a, y + 4, Math.max(b - a, 1), ROW - 8);
		} else if (s.kind === 'zombie') {
			ctx.fillStyle = zombieFill;
			ctx.fillRect(a, y + 3, Math.max(b - a, 2), ROW - 6);
			ctx.strokeStyle = C.zombie;
			ctx.strokeRect(a + 0.5, y + 3.5, Math.max(b - a - 1, 1),
				       ROW - 7);
		} else {
			ctx.fillStyle = C.wait;
			ctx.fillRect(a, y + ROW - 7, Math.max(b - a, 1), 3);
		}
	}

	function diamond(x, y, r) {
		ctx.beginPath();
		ctx.moveTo(x, y - r);
		ctx.lineTo(x + r, y);
		ctx.lineTo(x, y + r);
		ctx.lineTo(x - r, y);
		ctx.closePath();
		ctx.fill();
	}

	function drawMarks(p, y) {
		var c = y + ROW / 2;

		p.marks.forEach(function (m) {
			var x = X(m.t);

			if (x < -6 || x > W + 6)
				return;
			if (m.kind === 'exec' || m.kind === 'exec-failed') {
				ctx.fillStyle = m.kind === 'exec' ? C.exec : C.zombie;
				diamond(x, c, 5);
			} else if (m.kind === 'exit') {
				ctx.fillStyle = C.exit;
				ctx.fillRect(Math.round(x) - 1, y + 1, 2, ROW - 2);
			} else if (m.kind === 'reap') {
				ctx.strokeStyle = C.reap;
				ctx.lineWidth = 2;
				ctx.beginPath();
				ctx.arc(x, c, 4, 0, 2 * Math.PI);
				ctx.stroke();
				ctx.lineWidth = 1;
			} else if (m.kind === 'reaped') {
				ctx.fillStyle = C.reap;
				ctx.beginPath();
				ctx.arc(x, c, 3, 0, 2 * Math.PI);
				ctx.fill();
			} else if (m.kind === 'fork') {
				ctx.fillStyle = C.fork;
				ctx.beginPath();
				ctx.arc(x, c, 2.5, 0, 2 * Math.PI);
				ctx.fill();
			}
		});
	}

	/* Parent -> child at the fork; its head on the child's lane. */
	function drawFork(p) {
		var par = p.parent >= 0 ? procs[p.parent] : null, x, ya, yb;

		if (!par || par.row == null || p.start == null || p.start < t0)
			return;
		x = Math.round(X(p.start)) + 0.5;
		ya = rowY(par) + ROW / 2 + 3;
		yb = rowY(p) + 4;
		if (x < -5 || x > W + 5 || yb < 0 || ya > H)
			return;
		ctx.strokeStyle = C.fork;
		ctx.fillStyle = C.fork;
		ctx.beginPath();
		ctx.moveTo(x, ya);
		ctx.lineTo(x, yb - 4);
		ctx.stroke();
		ctx.beginPath();
		ctx.moveTo(x - 3.5, yb - 5);
		ctx.lineTo(x + 3.5, yb - 5);
		ctx.lineTo(x, yb);
		ctx.closePath();
		ctx.fill();
	}

	/* Zombie -> the process whose wait reaped it, dashed. */
	function drawReap(p) {
		var r = p.reaper_id >= 0 ? procs[p.reaper_id] : null, x, ya, yb;

		if (!r || r.row == null || p.reap == null)
			return;
		x = Math.round(X(p.reap)) + 0.5;
		ya = rowY(p) + ROW / 2;
		yb = rowY(r) + ROW / 2;
		if (x < -5 || x > W + 5 || Math.max(ya, yb) < 0 ||
		    Math.min(ya, yb) > H)
			return;
		ctx.strokeStyle = C.reap;
		ctx.setLineDash([3, 2]);
		ctx.beginPath();
		ctx.moveTo(x, ya + (yb < ya ? -4 : 4));
		ctx.lineTo(x, yb + (yb < ya ? 3 : -3));
		ctx.stroke();
		ctx.setLineDash([]);
	}

	function draw() {
		var step = tickStep(), first, last, r, y, t;

		ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
		ctx.clearRect(0, 0, W, H);
		first = Math.max(0, Math.floor(scroller.scrollTop / ROW));
		last = Math.min(lanes.length,
				Math.ceil((scroller.scrollTop + H) / ROW));
		for (r = first; r < last; r++) {
			y = r * ROW - scroller.scrollTop;
			if (r % 2) {
				ctx.fillStyle = C.stripe;
				ctx.fillRect(0, y, W, ROW);
			}
		}
		ctx.strokeStyle = C.grid;
		ctx.lineWidth = 1;
		for (t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
			ctx.beginPath();
			ctx.moveTo(Math.round(X(t)) + 0.5, 0);
			ctx.lineTo(Math.round(X(t)) + 0.5, H);
			ctx.stroke();
		}
		for (r = first; r < last; r++) {
			y = r * ROW - scroller.scrollTop;
			lanes[r].spans.forEach(function (s) {
				drawSpan(lanes[r], s, y);
			});
		}
		/* Arrows may cross the view from lanes outside it. */
		lanes.forEach(drawFork);
		lanes.forEach(drawReap);
		for (r = first; r < last; r++)
			drawMarks(lanes[r], r * ROW - scroller.scrollTop);
		drawAxis(step);
		plot.dataset.viewStart = Math.round(v0);
		plot.dataset.viewEnd = Math.round(v1);
		$('range').textContent = at(Math.round(v0)) + ' \u2026 ' +
			at(Math.round(v1)) + '  (' + dur(v1 - v0) + ')';
	}

	var pending = false;

	function redraw() {
		if (pending)
			return;
		pending = true;
		requestAnimationFrame(function () {
			pending = false;
			draw();
		});
	}

	/* ---- zoom and pan ---- */

	function setView(a, b) {
		var span = Math.min(Math.max(b - a, 1000), full * 4);
		var pad = full * 0.5;

		a = Math.min(Math.max(a, t0 - pad), t1 + pad - span);
		v0 = a;
		v1 = a + span;
		redraw();
	}

	function fit() {
		var pad = full * 0.02;

		setView(t0 - pad, t1 + pad);
	}

	/* factor < 1 zooms in, keeping the time under x where it is. */
	function zoom(factor, x) {
		var t = T(x == null ? W / 2 : x), f = x == null ? 0.5 : x / W;
		var span = (v1 - v0) * factor;

		setView(t - span * f, t - span * f + span);
	}

	function pan(px) {
		var dt = px / W * (v1 - v0);

		setView(v0 + dt, v1 + dt);
	}

	/* ---- hover ---- */

	function tipLine(cls, text) {
		var d = document.createElement('div');

		d.className = cls;
		d.textContent = text;
		tip.appendChild(d);
	}

	function tipEvent(e) {
		if (!e)
			return;
		if (e.line)
			tipLine('line', e.line);
		if (e.why)
			tipLine('why', e.why);
	}

	function tipProcess(p) {
		tipLine('t', name(p) + (p.threads ? ' (' + p.threads +
			(p.threads > 1 ? ' threads)' : ' thread)') : ''));
		if (p.cmd)
			tipLine('cmd', p.cmd);
		if (p.container)
			tipLine('cmd', p.container);
	}

	function reapText(p) {
		switch (p.released) {
		case 'wait':
			return 'reaped by ' + p.reaper + ' (' + p.reaper_comm +
				')';
		case 'auto':
			return 'released at its exit: no one waits for it';
		case 'exec':
			return 'released by a thread\'s exec';
		case 'vanished':
			return 'found gone after records were lost';
		case 'free':
			return 'freed; what released it was not seen';
		}
		return 'still not reaped when the recording ended';
	}

	function tipSpan(p, s) {
		var text;

		tipProcess(p);
		if (s.kind === 'running') {
			text = 'running ' + (s.before ?
				'since before the recording began' :
				'from ' + at(s.a)) + ' to ' +
				(p.exit != null ? at(s.b) + ': ' + dur(s.b - s.a) :
				 'the end of the recording');
			tipLine('', text);
			if (p.exit != null)
				tipLine('', 'then ' + (p.status || 'exited'));
		} else if (s.kind === 'zombie') {
			text = (p.exit_unknown ? 'a zombie already when seen at ' :
				'zombie from ') + at(s.a) + ' for ' +
				dur(s.b - s.a) + (p.status ? ', ' + p.status : '') +
				': ' + reapText(p);
			tipLine('', text);
			tipEvent(evOf(p, 'exit'));
			tipEvent(evOf(p, 'reap'));
		} else {
			tipLine('', 'in wait() from ' + at(s.a) + ' for ' +
				dur(s.b - s.a));
			tipEvent({ line: s.ev.wait_line, why: s.ev.wait_why });
			tipEvent(s.ev);
		}
	}

	function tipMark(p, m) {
		tipProcess(p);
		if (m.kind === 'born') {
			tipLine('', 'forked by ' + name(m.p) + ' at ' + at(m.t));
		} else if (m.kind === 'reaped') {
			tipLine('', 'its wait reaped ' + name(m.p) + ' at ' +
				at(m.t));
		} else {
			tipLine('', m.kind + ' at ' + at(m.t));
		}
		tipEvent(m.ev);
	}

	var hl = null;

	function highlight(p) {
		if (hl === p)
			return;
		if (hl)
			hl.el.classList.remove('hl');
		hl = p;
		if (p)
			p.el.classList.add('hl');
	}

	function hide() {
		tip.hidden = true;
		tip.dataset.kind = '';
		highlight(null);
	}

	function place(cx, cy) {
		var w = tip.offsetWidth, h = tip.offsetHeight;
		var x = cx + 14, y = cy + 14;

		if (x + w > window.innerWidth - 4)
			x = Math.max(4, cx - w - 10);
		if (y + h > window.innerHeight - 4)
			y = Math.max(4, cy - h - 10);
		tip.style.left = x + 'px';
		tip.style.top = y + 'px';
	}

	/* What is under (x, y) of the canvas: a mark near it, else a span. */
	function hit(x, y) {
		var row = Math.floor((y + scroller.scrollTop) / ROW);
		var p = lanes[row], best = null, bd = 6, t, i;

		if (!p)
			return null;
		p.marks.forEach(function (m) {
			var d = Math.abs(X(m.t) - x);

			if (d < bd) {
				bd = d;
				best = m;
			}
		});
		if (best)
			return { p: p, mark: best };
		t = T(x);
		/* The narrowest span wins: a wait lies on a running span. */
		for (i = p.spans.length - 1; i >= 0; i--)
			if (t >= p.spans[i].a && t <= p.spans[i].b)
				return { p: p, span: p.spans[i] };
		return { p: p };
	}

	var mouse = null;	/* where the mouse is over the canvas */

	function hover(cx, cy) {
		var r = canvas.getBoundingClientRect();
		var h = hit(cx - r.left, cy - r.top);

		if (!h || (!h.mark && !h.span)) {
			hide();
			if (h)
				highlight(h.p);
			return;
		}
		tip.textContent = '';
		if (h.mark)
			tipMark(h.p, h.mark);
		else
			tipSpan(h.p, h.span);
		tip.dataset.kind = h.mark ? h.mark.kind : h.span.kind;
		tip.dataset.pid = h.p.pid;
		tip.hidden = false;
		place(cx, cy);
		highlight(h.p);
	}

	function laneTip(e) {
		var el = e.target.closest('.lane'), p;

		if (!el)
			return;
		p = lanes[+el.dataset.row];
		tip.textContent = '';
		tipProcess(p);
		tipLine('', (p.start == null || p.start < t0 ?
			'running before the recording began' :
			'forked at ' + at(p.start)) +
			(p.exit != null ? '; ' + (p.status || 'exited') +
			 ' at ' + at(p.exit) : '') +
			(p.reap != null ? '; ' + reapText(p) + ' at ' + at(p.reap) :
			 p.exit != null ? '; ' + reapText(p) : ''));
		tip.dataset.kind = 'lane';
		tip.dataset.pid = p.pid;
		tip.hidden = false;
		place(e.clientX, e.clientY);
	}

	/* ---- input ---- */

	var drag = null;

	function wire() {
		canvas.addEventListener('wheel', function (e) {
			var r = canvas.getBoundingClientRect();

			if (e.ctrlKey) {
				e.preventDefault();
				zoom(Math.exp(e.deltaY * 0.002), e.clientX - r.left);
			} else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
				e.preventDefault();
				pan(e.shiftKey ? e.deltaY : e.deltaX);
			}
		}, { passive: false });
		axis.addEventListener('wheel', function (e) {
			var r = axis.getBoundingClientRect();

			e.preventDefault();
			zoom(Math.exp(e.deltaY * 0.002), e.clientX - r.left);
		}, { passive: false });
		canvas.addEventListener('mousedown', function (e) {
			drag = { x: e.clientX, v0: v0, v1: v1 };
			canvas.classList.add('dragging');
			hide();
		});
		window.addEventListener('mouseup', function () {
			drag = null;
			canvas.classList.remove('dragging');
		});
		window.addEventListener('mousemove', function (e) {
			var dt;

			if (!drag)
				return;
			dt = (drag.x - e.clientX) / W * (drag.v1 - drag.v0);
			setView(drag.v0 + dt, drag.v1 + dt);
		});
		canvas.addEventListener('mousemove', function (e) {
			mouse = { x: e.clientX, y: e.clientY };
			if (!drag)
				hover(e.clientX, e.clientY);
		});
		canvas.addEventListener('mouseleave', function () {
			mouse = null;
			hide();
		});
		labels.addEventListener('mouseover', laneTip);
		labels.addEventListener('mouseleave', hide);
		/* What is under the mouse changed with the lanes. */
		scroller.addEventListener('scroll', function () {
			if (mouse && !drag)
				hover(mouse.x, mouse.y);
			else
				hide();
			redraw();
		});
		$('zoom-in').addEventListener('click', function () { zoom(0.5); });
		$('zoom-out').addEventListener('click', function () { zoom(2); });
		$('zoom-fit').addEventListener('click', fit);
		document.addEventListener('keydown', function (e) {
			if (e.ctrlKey || e.altKey || e.metaKey)
				return;
			if (e.key === '+' || e.key === '=')
				zoom(0.5);
			else if (e.key === '-')
				zoom(2);
			else if (e.key === '0')
				fit();
			else if (e.key === 'ArrowLeft')
				pan(-W / 8);
			else if (e.key === 'ArrowRight')
				pan(W / 8);
		});
		window.addEventListener('resize', function () {
			size();
			redraw();
		});
	}

	/*
	 * Where a lane's mark is on the screen (scrolling it into view), for
	 * tests driving a real mouse and for the console: kind is a mark's
	 * ("exec", "exit", "reap", "reaped", "born", "fork") or a span's
	 * ("running", "zombie", "wait"): its middle.
	 */
	function point(pid, kind) {
		var p = lanes.filter(function (l) { return l.pid === pid; })[0];
		var r, t = null, i;

		if (!p)
			return null;
		for (i = 0; i < p.marks.length && t == null; i++)
			if (p.marks[i].kind === kind)
				t = p.marks[i].t;
		for (i = 0; i < p.spans.length && t == null; i++)
			if (p.spans[i].kind === kind)
				t = (p.spans[i].a + p.spans[i].b) / 2;
		if (t == null)
			return null;
		p.el.scrollIntoView({ block: 'center' });
		draw();
		r = canvas.getBoundingClientRect();
		return { x: r.left + X(t), y: r.top + rowY(p) + ROW / 2 };
	}

	header();
	buildLanes();
	size();
	fit();
	wire();
	draw();
	window.forkscope = {
		data: D, lanes: lanes, point: point, zoom: zoom, fit: fit,
		view: function () { return [v0, v1]; }, setView: setView,
		draw: draw,
	};
	/* How long parsing, laying out and the first drawing took. */
	document.body.dataset.initMs = Math.round(performance.now() - began);
	document.body.dataset.ready = '1';
})();
