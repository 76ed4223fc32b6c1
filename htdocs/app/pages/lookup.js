// pages/lookup.js -- /request?data=…&kind=…: a live lookup over SSE.
import { h, fmtMs } from '../dom.js';
import { lookupForm } from '../components/lookup-form.js';
import { resultsView } from '../components/results.js';
import { badge } from '../components/badge.js';
import { downloadJson } from '../components/json-view.js';
import { detectKind } from '../kinds.js';

export default async function lookup(ctx) {
	const { t, query } = ctx;
	ctx.setTitle('core.lookup.title', 'core.lookup.desc');
	// A reload of a finished lookup shows it from the history.
	if (query.get('requestId') && /^[A-Za-z0-9_-]+$/.test(query.get('requestId'))) {
		ctx.navigate('/history/' + encodeURIComponent(query.get('requestId')), { replace: true });
		return;
	}
	const data = (query.get('data') || '').trim();
	const kind = (query.get('kind') || '').toUpperCase();
	const sources = (query.getAll('sources').join(',') + ',' + query.getAll('sources[]').join(','))
	    .split(',').filter(Boolean);
	const force = query.get('force') === '1' || query.get('force') === 'true';
	const { form, input } = lookupForm(ctx, { data, kind, sources, force });
	ctx.el.appendChild(h('div', { class: 'card' }, form));
	if (!data) {
		ctx.el.appendChild(h('div', { class: 'empty muted' }, t('core.lookup.empty')));
		input.focus();
		return;
	}

	const status = h('span', { class: 'muted', 'data-testid': 'lookup-status' }, t('core.lookup.running'));
	const progress = h('span', { class: 'badge muted', 'data-testid': 'progress' });
	const elapsed = h('span', { class: 'badge muted', 'data-testid': 'lookup-elapsed' });
	const kindBadge = h('span');
	const dl = h('button', { class: 'btn small', type: 'button', disabled: true,
	    'data-testid': 'download-all' }, t('core.lookup.downloadAll'));
	const view = resultsView({ name: 'lookup' });
	const head = h('div', { class: 'card lookup-head' },
	    h('div', { class: 'row wrap' },
		h('strong', { class: 'indicator', 'data-testid': 'lookup-data' }, data), kindBadge,
		progress, elapsed, h('span', { class: 'spacer' }), status, dl));
	ctx.el.append(head, view.el);

	const t0 = performance.now();
	let total = 0, landed = 0, requestId = null, finished = false, first = null;
	const tick = () => {
		elapsed.textContent = fmtMs(performance.now() - t0);
		progress.textContent = t('core.lookup.progress', { n: landed, total });
	};
	const timer = setInterval(tick, 100);
	const ctl = new AbortController();
	ctx.signal.addEventListener('abort', () => ctl.abort());

	const q = { data };
	if (kind)
		q.kind = kind;
	if (sources.length)
		q.sourceIds = sources.join(',');
	if (force)
		q.force = 'true';

	const landedOne = () => {
		landed++;
		if (first === null) {
			first = performance.now() - t0;
			ctx.el.dataset.firstCardMs = String(Math.round(first));
		}
		tick();
	};
	const run = ctx.api.sse('/requests/execute/sse', { query: q, signal: ctl.signal,
	    onEvent: ({ event, id, data: d }) => {
		if (event === 'fetching_start') {
			requestId = id;
			total = Array.isArray(d) ? d.length : 0;
			view.start(d);
			const u = new URL(location.href);
			u.searchParams.set('requestId', id);
			history.replaceState(null, '', u.pathname + u.search);
			tick();
		} else if (event === 'fetching_data') {
			view.add(d);
			landedOne();
		} else if (event === 'fetching_error') {
			const src = view.sourceOf(id) || { id, name: id };
			view.add({ source: src, errors: Array.isArray(d) ? d : [d], data: null });
			landedOne();
		} else if (event === 'done') {
			finished = true;
			view.done(d && d.summary);
			status.textContent = t('core.lookup.done', { n: d ? d.sources : landed,
			    errors: d ? d.errors : 0 });
			status.dataset.state = 'done';
			dl.disabled = false;
			if (requestId)
				status.append(' · ', h('a', { href: '/history/' + encodeURIComponent(requestId),
				    'data-testid': 'history-link' }, t('core.lookup.openHistory')));
		}
	} });
	const shown = kind || detectKind(data);
	if (shown)
		kindBadge.appendChild(badge(t('core.kind.' + shown), 'info'));
	dl.addEventListener('click', () => downloadJson({ requestId, data, kind: kind || null,
	    results: view.results }, 'lookup-' + (requestId || 'results') + '.json'));
	run.then(() => {
		clearInterval(timer);
		tick();
		if (!finished && !ctl.signal.aborted) {
			status.textContent = t('core.lookup.interrupted');
			status.dataset.state = 'interrupted';
			view.done(null);
		}
	}, e => {
		clearInterval(timer);
		status.textContent = t('core.lookup.failed');
		status.dataset.state = 'failed';
		ctx.toast.error(e);
		view.done(null);
	});
	return () => {
		clearInterval(timer);
		ctl.abort();
	};
}
