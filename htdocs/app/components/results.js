// results.js -- the per-source result cards of a lookup, shared by the
// live lookup page (fed by SSE) and the history detail (stored rows).
import { h, clear, fmtDate, fmtMs, parseDate } from '../dom.js';
import { t } from '../i18n.js';
import { badge } from './badge.js';
import { jsonView, downloadJson } from './json-view.js';

// Errors that mean "not asked" rather than "asked and failed".
export const SKIP_KINDS = ['UNSUPPORTED_INDICATOR', 'DISABLED_INDICATOR',
	'RUNNER_DISABLED', 'SOURCE_DISABLED', 'PROVIDER_DISABLED',
	'WITHIN_IGNORE_LIST', 'MISSING_SECRET', 'MISSING_SOURCE_CODE'];
export const ERROR_KINDS = ['TIMEOUT', 'NOT_FOUND', 'UNAUTHORIZED',
	'REQUEST_ERROR', 'RESPONSE_ERROR', 'DATABASE_ERROR',
	'INTERNAL_SERVER_ERROR', 'RATE_LIMITED'];
const VERDICTS = ['malicious', 'suspicious', 'benign', 'unknown'];
const VERDICT_BADGE = { malicious: 'err', suspicious: 'warn', benign: 'ok', unknown: 'muted' };

function skipped(errors) {
	return errors && errors.length > 0 && errors.every(e => SKIP_KINDS.includes(e.kind));
}

function errorDetail(e) {
	const c = e.content;
	if (c === undefined || c === null)
		return null;
	if (typeof c === 'string')
		return c;
	if (Array.isArray(c))
		return c.map(x => typeof x === 'string' ? x : JSON.stringify(x)).join(', ');
	if (typeof c === 'object' && c.retryAfter !== undefined)
		return t('core.result.retryAfter', { s: c.retryAfter });
	return JSON.stringify(c);
}

export function errorLabel(kind) {
	const k = 'core.srcerr.' + kind;
	const s = t(k);
	return s === k ? kind : s;
}

function entries(data) {
	if (Array.isArray(data))
		return data.length;
	if (data && typeof data === 'object') {
		for (const k of ['results', 'data', 'entries', 'items'])
			if (Array.isArray(data[k]))
				return data[k].length;
	}
	return null;
}

export function verdictBadge(v) {
	if (!v || !VERDICTS.includes(v.verdict))
		return null;
	const tip = [v.score !== undefined && v.score !== null ? t('core.verdict.score', { n: v.score }) : null,
		v.tags && v.tags.length ? v.tags.join(', ') : null,
		v.firstSeen ? t('core.verdict.firstSeen', { date: fmtDate(v.firstSeen) }) : null,
		v.lastSeen ? t('core.verdict.lastSeen', { date: fmtDate(v.lastSeen) }) : null]
	    .filter(Boolean).join(' · ');
	return badge(t('core.verdict.' + v.verdict) +
	    (v.score !== undefined && v.score !== null ? ' ' + v.score : ''),
	    VERDICT_BADGE[v.verdict], { title: tip || null, 'data-testid': 'verdict',
		dataset: { verdict: v.verdict } });
}

function cacheBadge(c) {
	if (!c || !c.action)
		return null;
	const tip = [t('core.result.cachedAt', { date: fmtDate(c.cachedAt) }),
		t('core.result.expiresAt', { date: fmtDate(c.expiresAt) }),
		c.cacheKey ? t('core.result.cacheKey', { key: c.cacheKey }) : null]
	    .filter(Boolean).join('\n');
	return badge(c.action === 'FROM_CACHE' ? t('core.result.fromCache') :
	    t('core.result.saved'), 'info', { title: tip, 'data-testid': 'cache',
		dataset: { cache: c.action } });
}

function elapsedBadge(timing) {
	if (!timing)
		return null;
	const a = parseDate(timing.startedAt), b = parseDate(timing.endedAt);
	if (!a || !b)
		return null;
	const ms = b - a;
	return badge(fmtMs(ms), ms > 1000 ? 'err' : 'muted', { 'data-testid': 'elapsed',
	    title: t('core.result.timing', { start: fmtDate(a), end: fmtDate(b) }) });
}

function avatar(src) {
	if (src.favicon && /^data:image\//.test(src.favicon))
		return h('img', { class: 'favicon', src: src.favicon, alt: '', width: 20, height: 20 });
	return h('span', { class: 'favicon letter', 'aria-hidden': 'true' },
	    (src.name || '?').slice(0, 1).toUpperCase());
}

function card(r, opts) {
	const src = r.source || {};
	const errs = r.errors || [];
	const n = errs.length ? null : entries(r.data);
	const head = h('div', { class: 'card-head' },
	    avatar(src),
	    h('a', { class: 'src-name', href: '/sources/' + encodeURIComponent(src.id || src.slug || '') },
		src.name || src.slug || src.id),
	    n !== null ? badge(t('core.result.entries', { n }), 'muted') : null,
	    h('span', { class: 'spacer' }),
	    verdictBadge(r.verdict), cacheBadge(r.cache), elapsedBadge(r.timing),
	    h('button', { type: 'button', class: 'btn small', 'data-testid': 'download',
		title: t('core.result.download'), 'aria-label': t('core.result.download'),
		onclick: () => downloadJson(r, (opts.name || 'lookup') + '-' + (src.slug || src.id) + '.json') },
		'⤓'));
	const body = errs.length ? h('ul', { class: 'errors' }, errs.map(e =>
	    h('li', null, badge(errorLabel(e.kind), skipped([e]) ? 'muted' : 'err',
		{ dataset: { kind: e.kind } }), ' ',
		errorDetail(e) ? h('span', { class: 'muted' }, errorDetail(e)) : null))) :
	    jsonView(r.data, { collapsed: 2 });
	const details = r.cache && r.cache.action ? h('div', { class: 'card-meta muted' },
	    t('core.result.cachedAt', { date: fmtDate(r.cache.cachedAt) }), ' · ',
	    t('core.result.expiresAt', { date: fmtDate(r.cache.expiresAt) })) : null;
	return h('article', { class: ['card', 'result', errs.length ? (skipped(errs) ? 'skipped' : 'failed') : 'ok'],
	    'data-testid': 'result-card', dataset: { sourceId: src.id, state:
		errs.length ? (skipped(errs) ? 'skipped' : 'error') : 'success' } },
	    head, details, body);
}

// The result view: results.start(sources), .add(result), .done(summary).
export function resultsView({ name } = {}) {
	const pending = new Map();
	const all = [];
	const summaryBox = h('div', { class: 'summary-box', 'data-testid': 'summary' });
	const skipBox = h('div', { class: 'skip-summary', 'data-testid': 'skip-summary' });
	const groups = {};
	const el = h('div', { class: 'results' }, summaryBox, skipBox);
	for (const g of ['pending', 'success', 'error', 'skipped']) {
		const list = h('div', { class: 'result-list' });
		const count = h('span', { class: 'count' });
		groups[g] = { list, count, el: h('section', { class: ['group', g], hidden: true,
		    'data-testid': 'group-' + g },
		    h('h3', null, t('core.result.group.' + g), ' ', count), list) };
		el.appendChild(groups[g].el);
	}
	const recount = () => {
		for (const g of Object.values(groups)) {
			const n = g.list.childElementCount;
			g.count.textContent = n ? '(' + n + ')' : '';
			g.el.hidden = n === 0;
		}
		paintSkips();
	};
	const paintSkips = () => {
		const by = new Map();
		for (const r of all) {
			if (!skipped(r.errors))
				continue;
			for (const e of r.errors) {
				if (!by.has(e.kind))
					by.set(e.kind, []);
				by.get(e.kind).push(r.source && r.source.name);
			}
		}
		clear(skipBox);
		if (!by.size)
			return;
		skipBox.append(h('span', { class: 'muted' }, t('core.result.skippedSummary')), ' ',
		    ...[...by].map(([k, names]) => badge(errorLabel(k) + ' · ' + names.length, 'muted',
			{ title: names.join(', '), dataset: { kind: k } })));
	};
	const api = {
		el,
		results: all,
		start(list) {
			for (const c of list || []) {
				const s = c.source || c;
				if (pending.has(s.id))
					continue;
				const p = h('article', { class: 'card result pending', dataset: { sourceId: s.id } },
				    h('div', { class: 'card-head' }, avatar(s), h('span', { class: 'src-name' }, s.name),
					h('span', { class: 'spacer' }), h('span', { class: 'spinner', 'aria-label': t('core.result.waiting') })));
				pending.set(s.id, { source: s, el: p });
				groups.pending.list.appendChild(p);
			}
			recount();
		},
		sourceOf(id) {
			return pending.has(id) ? pending.get(id).source : null;
		},
		add(r) {
			all.push(r);
			const id = r.source && r.source.id;
			if (pending.has(id)) {
				pending.get(id).el.remove();
				pending.delete(id);
			}
			const errs = r.errors || [];
			const g = !errs.length ? 'success' : skipped(errs) ? 'skipped' : 'error';
			groups[g].list.appendChild(card(r, { name }));
			recount();
		},
		done(summary) {
			for (const p of pending.values())
				p.el.remove();
			pending.clear();
			// Successes: most entries first, then by name.
			const ok = [...groups.success.list.children];
			const key = c => all.find(r => r.source && r.source.id === c.dataset.sourceId);
			ok.sort((a, b) => {
				const ra = key(a), rb = key(b);
				const na = entries(ra && ra.data) || 0, nb = entries(rb && rb.data) || 0;
				return nb - na || String(ra && ra.source.name).localeCompare(String(rb && rb.source.name));
			});
			ok.forEach(c => groups.success.list.appendChild(c));
			recount();
			api.summary(summary);
		},
		summary(s) {
			clear(summaryBox);
			if (!s || !s.verdict)
				return;
			const by = s.sources || {};
			summaryBox.append(h('span', { class: 'muted' }, t('core.verdict.overall')), ' ',
			    verdictBadge({ verdict: s.verdict, score: s.score }),
			    ...VERDICTS.filter(v => by[v] && by[v].length).map(v =>
				h('span', { class: 'verdict-list' },
				    h('span', { class: 'muted' }, t('core.verdict.' + v) + ': '),
				    by[v].map((x, i) => [i ? ', ' : '',
					h('a', { href: '/sources/' + encodeURIComponent(x.id) }, x.name)]))));
		}
	};
	return api;
}

// A stored row of /requests/{id}/history as a live result.
export function rowToResult(row) {
	return {
		source: { id: row.sourceId, name: row.sourceName, slug: row.sourceSlug,
		    url: row.sourceUrl, favicon: row.sourceFavicon || undefined },
		cache: row.cacheAction ? { action: row.cacheAction, cachedAt: row.cacheCachedAt,
		    expiresAt: row.cacheExpiresAt, cacheKey: row.cacheKey } : undefined,
		timing: { startedAt: row.startedAt, endedAt: row.endedAt },
		errors: row.errors || [],
		data: row.data,
		verdict: row.verdict || undefined
	};
}
