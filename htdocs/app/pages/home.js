// pages/home.js -- quick lookup, latest lookups, runner status, counts
// and four hourly charts.
import { h, fmtDate } from '../dom.js';
import { lookupForm } from '../components/lookup-form.js';
import { badge } from '../components/badge.js';

const RUNNERS = [
	{ id: 'PYTHON', key: 'python', labelKey: 'core.home.runner.python' },
	{ id: 'JAVA_SCRIPT', key: 'javascript', labelKey: 'core.home.runner.javascript' }
];
const STATUS = { SERVING: 'ok', NOT_SERVING: 'err', UNKNOWN: 'muted', UNREACHABLE: 'err' };
const CHART_URL = '/javascript/chart.js/chart.mjs';
const PALETTE = ['#4f7cff', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#14b8a6',
	'#ec4899', '#84cc16', '#f97316', '#06b6d4', '#a3a3a3'];

function counter(labelKey, value, sub, href) {
	const inner = [h('div', { class: 'stat-value' }, value === undefined ? '—' : String(value)),
		h('div', { class: 'stat-label' }, labelKey),
		sub ? h('div', { class: 'stat-sub muted' }, sub) : null];
	return href ? h('a', { class: 'card stat', href }, inner) : h('div', { class: 'card stat' }, inner);
}

function runnerCards(ctx, config) {
	const { t } = ctx;
	const els = {};
	const cards = RUNNERS.map(r => {
		const en = config && config[r.key + '_runner_enabled'];
		const addr = config && config[r.key + '_runner_grpc_address'];
		const val = e => e ? (e.value !== null && e.value !== undefined ? e.value : e.defaultValue) : undefined;
		const enabled = val(en);
		const st = h('span', { 'data-testid': 'runner-' + r.key }, badge(t('core.home.runner.offline'), 'muted'));
		els[r.id] = st;
		return h('div', { class: 'card runner' },
		    h('div', { class: 'row' }, h('strong', null, t(r.labelKey)), h('span', { class: 'spacer' }), st),
		    h('div', { class: 'muted small' }, enabled === undefined ? '' :
			enabled ? t('core.home.runner.enabled') : t('core.home.runner.disabled')),
		    addr ? h('div', { class: 'muted small mono' }, String(val(addr))) : null);
	});
	const ctl = new AbortController();
	ctx.signal.addEventListener('abort', () => ctl.abort());
	ctx.api.sse('/runners/status/sse', { signal: ctl.signal, onEvent: ({ id, data }) => {
		const el = els[id];
		if (!el)
			return;
		const s = String(data);
		el.replaceChildren(badge(t('core.home.runner.status.' + s) !== 'core.home.runner.status.' + s ?
		    t('core.home.runner.status.' + s) : s, STATUS[s] || 'muted', { dataset: { status: s } }));
	} }).catch(() => {});
	return cards;
}

async function charts(ctx, box) {
	const { t } = ctx;
	const defs = [
		{ path: '/stats/count/requests', titleKey: 'core.home.chart.requests', cached: true },
		{ path: '/stats/count/requests/kinds', titleKey: 'core.home.chart.kinds', kinds: true },
		{ path: '/stats/count/requests/sources', titleKey: 'core.home.chart.sources' },
		{ path: '/stats/count/requests/providers', titleKey: 'core.home.chart.providers' }
	];
	const slots = defs.map(d => {
		const canvas = h('canvas', { role: 'img', 'aria-label': t(d.titleKey) });
		box.appendChild(h('div', { class: 'card chart' }, h('h3', null, t(d.titleKey)),
		    h('div', { class: 'chart-box' }, canvas)));
		return canvas;
	});
	const [mod, ...data] = await Promise.all([import(CHART_URL),
		...defs.map(d => ctx.api.get(d.path, null, { signal: ctx.signal }).catch(() => []))]);
	const { Chart, registerables } = mod;
	Chart.register(...registerables);
	const css = getComputedStyle(document.documentElement);
	const fg = css.getPropertyValue('--muted').trim() || '#888';
	const grid = css.getPropertyValue('--border').trim() || '#ddd';
	const hour = s => new Date(s).toLocaleTimeString(document.documentElement.lang === 'fr' ? 'fr-CA' : 'en-CA',
	    { hour: '2-digit', minute: '2-digit', hour12: false });
	const made = [];
	defs.forEach((d, i) => {
		const buckets = data[i] || [];
		const labels = buckets.map(b => hour(b.timeWindow));
		let sets;
		if (d.cached) {
			sets = [
				{ label: t('core.home.chart.uncached'), data: buckets.map(b => b.uncachedCount) },
				{ label: t('core.home.chart.cached'), data: buckets.map(b => b.cachedCount) }
			];
		} else {
			const names = new Map();
			for (const b of buckets)
				for (const x of b.data || [])
					names.set(x.id, x.name);
			sets = [...names].map(([id, name]) => ({ label: d.kinds ? t('core.kind.' + name) : name,
			    data: buckets.map(b => ((b.data || []).find(x => x.id === id) || {}).count || 0) }));
		}
		sets.forEach((s, j) => Object.assign(s, { fill: true, tension: 0.3, pointRadius: 0,
		    borderWidth: 1.5, borderColor: PALETTE[j % PALETTE.length],
		    backgroundColor: PALETTE[j % PALETTE.length] + '55' }));
		made.push(new Chart(slots[i], { type: 'line', data: { labels, datasets: sets },
		    options: { responsive: true, maintainAspectRatio: false, animation: false,
			interaction: { mode: 'index', intersect: false },
			plugins: { legend: { display: sets.length > 0, labels: { color: fg, boxWidth: 10 } } },
			scales: { x: { ticks: { color: fg, maxTicksLimit: 8, maxRotation: 0 }, grid: { color: grid } },
			    y: { stacked: true, beginAtZero: true, ticks: { color: fg, precision: 0 },
				grid: { color: grid } } } } }));
	});
	return made;
}

export default async function home(ctx) {
	const { t } = ctx;
	ctx.setTitle('core.home.title', 'core.home.desc');
	ctx.el.appendChild(h('p', { class: 'welcome' }, t('core.home.welcome',
	    { name: ctx.user.givenName || ctx.user.name || ctx.user.email })));
	if (ctx.can('request_create')) {
		const { form, input } = lookupForm(ctx, {});
		ctx.el.appendChild(h('section', { class: 'card' }, h('h2', null, t('core.home.quick')), form));
		input.focus();
	}
	const top = h('div', { class: 'grid two' });
	ctx.el.appendChild(top);
	const latest = h('section', { class: 'card latest' }, h('h2', null, t('core.home.latest')));
	if (ctx.can('request_view'))
		top.appendChild(latest);
	const runners = h('section', { class: 'runners' });
	top.appendChild(runners);
	const stats = h('section', { class: 'grid stats', 'aria-label': t('core.home.stats') });
	const chartBox = h('section', { class: 'grid two charts' });
	ctx.el.append(stats, chartBox);

	const [count, config, reqs] = await Promise.all([
		ctx.api.get('/stats/count', null, { signal: ctx.signal }).catch(e => { ctx.toast.error(e); return {}; }),
		ctx.api.get('/config', null, { signal: ctx.signal }).catch(() => null),
		ctx.can('request_view') ? ctx.api.get('/requests', { limit: 4 }, { signal: ctx.signal })
		    .catch(() => []) : Promise.resolve([])
	]);
	if (ctx.signal.aborted)
		return;
	latest.appendChild(reqs && reqs.length ? h('ul', { class: 'plain' }, reqs.map(r =>
	    h('li', { class: 'row' }, h('a', { class: 'mono ellipsis', href: '/history/' + encodeURIComponent(r.id) }, r.data),
		badge(t('core.kind.' + r.kind), 'info'), h('span', { class: 'spacer' }),
		h('span', { class: 'muted small' }, fmtDate(r.createdAt))))) :
	    h('div', { class: 'empty muted' }, t('core.history.empty')));
	runners.append(h('h2', { class: 'visually-hidden' }, t('core.home.runners')),
	    ...runnerCards(ctx, config));
	const of = (a, b) => t('core.home.ofEnabled', { n: a === undefined ? '—' : a, enabled: b === undefined ? '—' : b });
	stats.append(
	    counter(t('core.home.stat.requests'), count.history,
		t('core.home.last24', { n: count.historyLast24hrs === undefined ? '—' : count.historyLast24hrs }),
		ctx.can('request_view') ? '/history' : null),
	    counter(t('core.home.stat.sources'), count.sources, of(count.sources, count.enabledSources),
		ctx.can('sources_view') ? '/sources' : null),
	    counter(t('core.home.stat.providers'), count.providers, of(count.providers, count.enabledProviders),
		ctx.can('sources_view') ? '/providers' : null),
	    counter(t('core.home.stat.lists'), count.ignoreLists, of(count.ignoreLists, count.enabledIgnoreLists),
		ctx.can('sources_view') ? '/lists' : null));
	let made = [];
	charts(ctx, chartBox).then(m => {
		made = m;
		if (ctx.signal.aborted)
			made.forEach(c => c.destroy());
	}, e => {
		if (!ctx.signal.aborted)
			ctx.toast.error(e);
	});
	return () => made.forEach(c => c.destroy());
}
