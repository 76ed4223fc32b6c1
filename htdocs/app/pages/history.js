// pages/history.js -- past lookups: the list (search, paging) and one
// lookup rebuilt from its stored rows.
import { h, fmtDate } from '../dom.js';
import { table, pager } from '../components/table.js';
import { badge } from '../components/badge.js';
import { resultsView, rowToResult } from '../components/results.js';
import { downloadJson } from '../components/json-view.js';
import { KINDS } from '../kinds.js';

const PAGE = 25;

export async function list(ctx) {
	const { t, query } = ctx;
	ctx.setTitle('core.history.title', 'core.history.desc');
	const q = (query.get('q') || '').trim();
	const kind = (query.get('kind') || '').toUpperCase();
	const offset = Math.max(0, parseInt(query.get('offset') || '0', 10) || 0);
	const search = h('input', { type: 'search', name: 'q', value: q, 'data-testid': 'history-search',
	    placeholder: t('core.history.search'), 'aria-label': t('core.history.search') });
	const kindSel = h('select', { name: 'kind', 'aria-label': t('core.lookup.kind') },
	    h('option', { value: '' }, t('core.history.allKinds')),
	    KINDS.map(k => h('option', { value: k, selected: k === kind }, t('core.kind.' + k))));
	const go = off => {
		const p = new URLSearchParams();
		if (search.value.trim())
			p.set('q', search.value.trim());
		if (kindSel.value)
			p.set('kind', kindSel.value);
		if (off)
			p.set('offset', String(off));
		ctx.navigate('/history' + (p.toString() ? '?' + p : ''));
	};
	const bar = h('form', { class: 'toolbar', role: 'search', onsubmit: e => {
		e.preventDefault();
		go(0);
	} }, search, kindSel, h('button', { class: 'btn', type: 'submit' }, t('core.action.search')),
	    h('span', { class: 'spacer' }),
	    ctx.can('request_create') ? h('a', { class: 'btn primary', href: '/request' },
		t('core.history.new')) : null);
	kindSel.addEventListener('change', () => go(0));
	const body = h('div', { class: 'card' });
	ctx.el.append(bar, body);

	// The server searches (q: part of the indicator, any case; kind).
	const params = { limit: PAGE + 1, offset };
	if (q)
		params.q = q;
	if (kind)
		params.kind = kind;
	const found = await ctx.api.get('/requests', params, { signal: ctx.signal }) || [];
	const rows = found.slice(0, PAGE);
	const hasMore = found.length > PAGE;
	body.append(table({
		empty: q || kind ? 'core.history.noMatch' : 'core.history.empty',
		columns: [
			{ labelKey: 'core.history.indicator', render: r => h('a', { class: 'mono',
			    href: '/history/' + encodeURIComponent(r.id), 'data-testid': 'history-row' }, r.data) },
			{ labelKey: 'core.lookup.kind', render: r => badge(t('core.kind.' + r.kind), 'info') },
			{ labelKey: 'core.history.when', render: r => fmtDate(r.createdAt) },
			{ labelKey: 'core.history.requester', render: r => ctx.can('users_view') ?
			    h('a', { href: '/users/' + encodeURIComponent(r.userId), dataset: { userId: r.userId } },
				r.userId === ctx.user.id ? ctx.user.name || r.userId : r.userId) :
			    r.userId === ctx.user.id ? ctx.user.name || r.userId : r.userId }
		],
		rows
	}), pager({ offset, limit: PAGE, hasMore, onPage: go }));
	search.focus();
	// Names instead of ids for whoever may see the users.
	if (ctx.can('users_view') && rows.length) {
		ctx.api.get('/users', null, { signal: ctx.signal }).then(users => {
			const names = new Map((users || []).map(u => [u.id, u.name || u.email]));
			body.querySelectorAll('a[data-user-id]').forEach(a => {
				if (names.has(a.dataset.userId))
					a.textContent = names.get(a.dataset.userId);
			});
		}, () => {});
	}
}

export async function detail(ctx) {
	const { t } = ctx;
	const id = ctx.params.id;
	ctx.setTitle('core.history.detailTitle', 'core.history.detailDesc');
	const [req, rows] = await Promise.all([
		ctx.api.get('/requests/' + encodeURIComponent(id), null, { signal: ctx.signal }),
		ctx.api.get('/requests/' + encodeURIComponent(id) + '/history', null, { signal: ctx.signal })
	]);
	const who = h('span', null, req.userId);
	const requester = ctx.can('users_view') ?
	    h('a', { href: '/users/' + encodeURIComponent(req.userId), 'data-testid': 'requester' }, who) :
	    h('span', { 'data-testid': 'requester' }, who);
	if (req.userId === (ctx.user && ctx.user.id))
		who.textContent = ctx.user.name || ctx.user.email;
	else if (ctx.can('users_view'))
		ctx.api.get('/users/' + encodeURIComponent(req.userId), null, { signal: ctx.signal })
		    .then(u => { who.textContent = u.name || u.email; }, () => {});
	const again = new URLSearchParams({ data: req.data, kind: req.kind, force: '1' });
	const results = (rows || []).map(rowToResult);
	ctx.el.appendChild(h('div', { class: 'card lookup-head' },
	    h('div', { class: 'row wrap' },
		h('strong', { class: 'indicator', 'data-testid': 'lookup-data' }, req.data),
		badge(t('core.kind.' + req.kind), 'info'),
		h('span', { class: 'spacer' }),
		ctx.can('request_create') ? h('a', { class: 'btn small', href: '/request?' + again },
		    t('core.history.again')) : null,
		h('button', { class: 'btn small', type: 'button', onclick: () =>
		    downloadJson({ request: req, results }, 'lookup-' + req.id + '.json') },
		    t('core.lookup.downloadAll'))),
	    h('dl', { class: 'kv' },
		h('dt', null, t('core.history.when')), h('dd', null, fmtDate(req.createdAt)),
		h('dt', null, t('core.history.requester')), h('dd', null, requester),
		h('dt', null, t('core.history.trace')), h('dd', { class: 'mono' }, req.traceId || '—'),
		h('dt', null, t('core.history.id')), h('dd', { class: 'mono' }, req.id))));
	const view = resultsView({ name: 'lookup-' + req.id });
	ctx.el.appendChild(view.el);
	// Rows come newest first; show each source once (its latest row).
	const seen = new Set();
	for (const r of results) {
		const k = r.source.id || r.source.slug;
		if (seen.has(k))
			continue;
		seen.add(k);
		view.add(r);
	}
	view.done(req.summary || null);
	if (!results.length)
		ctx.el.appendChild(h('div', { class: 'empty muted' }, t('core.history.noResults')));
}
