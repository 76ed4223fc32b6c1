// sources.js -- sources: list, detail, new and edit, with the code
// editor of PYTHON and JAVA_SCRIPT sources and a test of the unsaved
// code against an indicator (POST /sources/test).
import { h, clear, fmtMs } from '../../dom.js';
import { ApiError } from '../../api.js';
import { t } from '../../i18n.js';
import { badge } from '../../components/badge.js';
import { jsonView } from '../../components/json-view.js';
import { table } from '../../components/table.js';
import { setFieldError } from '../../components/form.js';
import { detectKind } from '../../kinds.js';
import { codeEditor } from './editor.js';
import {
	KINDS, adminCss, pathOf, yesNo, enabledBadge, tagList, kv, dateOf,
	userLink, card, loading, listPage, picker, tagsInput, parseTags,
	faviconInput, favicon, row, check, submit, numberOrNull, formPages,
	pagedTable, entityHead, openEntity, checkbox, nameRows, formActions
} from './common.js';

const BASE = '/sources';
const CODE_KINDS = ['PYTHON', 'JAVA_SCRIPT'];
const TEMPLATE_KEY = { PYTHON: 'python_source_template',
	JAVA_SCRIPT: 'javascript_source_template' };

function kindLabel(k) {
	return t('admin.sources.kind.' + k);
}

// --- list ---------------------------------------------------------------

export async function list(ctx) {
	await listPage(ctx, {
		titleKey: 'admin.sources.title', descKey: 'admin.sources.desc',
		path: BASE, base: BASE, newRole: 'sources_edit', testid: 'sources',
		text: s => [s.name, s.slug, s.description, (s.tags || []).join(' '),
		    s.kind].join(' '),
		columns: [
			{ labelKey: 'admin.field.name', render: s => h('span', { class: 'name-cell' },
			    favicon(s.favicon), h('a', { href: pathOf(BASE, s) }, s.name)) },
			{ labelKey: 'admin.field.kind', render: s => badge(kindLabel(s.kind), 'info') },
			{ labelKey: 'admin.field.enabled', render: s => enabledBadge(s.enabled) },
			{ labelKey: 'admin.field.tags', render: s => tagList(s.tags) },
			{ labelKey: 'admin.sources.supported', render: s =>
			    String((s.supportedIndicators || []).length) }
		]
	});
}

// --- detail -------------------------------------------------------------

function kindsMatrix(s) {
	const sup = new Set(s.supportedIndicators || []);
	const dis = new Set(s.disabledIndicators || []);
	return h('div', { class: 'kinds-matrix' }, KINDS.map(k => {
		const state = !sup.has(k) ? 'unsupported' : dis.has(k) ? 'disabled' : 'active';
		return badge(k + ' · ' + t('admin.sources.kstate.' + state),
		    state === 'active' ? 'ok' : state === 'disabled' ? 'warn' : 'muted',
		    { dataset: { kind: k, state } });
	}));
}

const TASK_BADGE = { OK: 'ok', RUNNING: 'info', ERROR: 'err', ABANDONED: 'warn' };

function taskStatus(st) {
	return badge(t('admin.sources.taskStatus.' + (TASK_BADGE[st] ? st : 'OTHER'), { status: st }),
	    TASK_BADGE[st] || 'muted', { dataset: { status: st || '' } });
}

function taskError(e) {
	if (e === null || e === undefined || e === '')
		return null;
	return h('span', { class: 'err' }, typeof e === 'string' ? e : JSON.stringify(e));
}

// The last background task run (the source's lastTask member).
function lastTaskView(task) {
	if (!task)
		return h('p', { class: 'muted', 'data-testid': 'last-task' }, t('admin.sources.noTask'));
	return h('div', { class: 'last-task', 'data-testid': 'last-task' }, kv([
		['admin.sources.task.status', taskStatus(task.status)],
		['admin.sources.task.started', dateOf(task.startedAt)],
		task.endedAt ? ['admin.sources.task.ended', dateOf(task.endedAt)] : null,
		task.rows !== null && task.rows !== undefined ?
		    ['admin.sources.task.rows', String(task.rows)] : null,
		task.error ? ['admin.sources.task.error', taskError(task.error)] : null
	]));
}

// The source's task runs, newest first (GET /sources/{id}/tasks).
function tasksView(ctx, s) {
	return pagedTable(ctx, BASE + '/' + s.id + '/tasks', [
		{ labelKey: 'admin.sources.task.started', render: r => dateOf(r.startedAt) },
		{ labelKey: 'admin.sources.task.ended', render: r => dateOf(r.endedAt) },
		{ labelKey: 'admin.sources.task.status', render: r => taskStatus(r.status) },
		{ labelKey: 'admin.sources.task.rows', render: r =>
		    r.rows === null || r.rows === undefined ? '' : String(r.rows) },
		{ labelKey: 'admin.sources.task.error', render: r => taskError(r.error) }
	], 'admin.sources.noTasks', { limit: 10, testid: 'task-runs' });
}

function requestsView(ctx, s) {
	return pagedTable(ctx, BASE + '/' + s.id + '/requests', [
		{ labelKey: 'admin.field.data', render: r =>
		    h('a', { href: '/history/' + encodeURIComponent(r.id) }, r.data) },
		{ labelKey: 'admin.field.kind', render: r => badge(r.kind, 'info') },
		{ labelKey: 'admin.field.created', render: r => dateOf(r.createdAt) },
		{ labelKey: 'admin.field.user', render: r => userLink(ctx, r.userId) }
	], 'admin.sources.noRequests', { limit: 10, testid: 'source-requests', spin: true });
}

export async function detail(ctx) {
	await adminCss();
	const s = await openEntity(ctx, BASE,
	    ['admin.sources.detailTitle', 'admin.sources.detailDesc'], 'core.entity.source');
	if (!s)
		return;
	const sig = { signal: ctx.signal };
	const [lists, globals, slots, provider, provLists, allSecrets] = await Promise.all([
		ctx.api.get(BASE + '/' + s.id + '/ignoreLists', null, sig),
		ctx.api.get('/ignoreLists/global', null, sig),
		ctx.api.get(BASE + '/' + s.id + '/secrets', null, sig),
		s.providerId ? ctx.api.get('/providers/' + s.providerId, null, sig).catch(() => null) : null,
		s.providerId ? ctx.api.get('/providers/' + s.providerId + '/ignoreLists', null, sig)
		    .catch(() => []) : [],
		ctx.can('secrets_view') ? ctx.api.get('/secrets', null, sig) : []
	]);
	const secretName = id => (allSecrets.find(x => x.id === id) || {}).name;
	clear(ctx.el);
	document.title = s.name + ' · iocagg';
	// Every list that applies: the source's own, its provider's and the
	// global ones, each once.
	const allLists = [];
	for (const [l, via] of [...lists.map(l => [l, null]),
	    ...provLists.map(l => [l, 'provider']), ...globals.map(l => [l, 'global'])])
		if (!allLists.some(x => x.l.id === l.id))
			allLists.push({ l, via });
	const head = entityHead(ctx, { name: s.name, enabled: s.enabled,
	    before: favicon(s.favicon), after: badge(kindLabel(s.kind), 'info'),
	    edit: pathOf(BASE, s) + '/edit' });
	const info = card(null, kv([
		['admin.field.description', s.description],
		['admin.field.slug', h('code', null, s.slug)],
		['admin.field.url', s.url ? h('a', { href: s.url, target: '_blank',
		    rel: 'noopener noreferrer', 'data-external': '' }, s.url) : null],
		['admin.field.tags', tagList(s.tags)],
		['admin.field.created', dateOf(s.createdAt)],
		['admin.field.updated', dateOf(s.updatedAt)],
		['admin.field.createdBy', userLink(ctx, s.createdUserId)],
		['admin.field.updatedBy', userLink(ctx, s.updatedUserId)],
		s.kind === 'SYSTEM' ? ['admin.sources.builtin', s.builtin] : null,
		['admin.sources.timeout', s.timeout ? t('admin.seconds', { n: s.timeout }) : t('admin.default')],
		['admin.field.provider', provider ? h('a', { href: pathOf('/providers', provider) },
		    provider.name) : null]
	]));
	const behaviour = card('admin.sources.behaviour', kv([
		['admin.sources.limit', s.limitEnabled ? t('admin.sources.limitText',
		    { n: s.limitCount, s: s.limitInterval }) : yesNo(false)],
		['admin.sources.task', s.taskEnabled ? t('admin.sources.everyN',
		    { s: s.taskInterval }) : yesNo(false)],
		['admin.sources.cache', s.cacheEnabled ? t('admin.sources.ttlN',
		    { s: s.cacheInterval }) : yesNo(false)]
	]));
	const kinds = card('admin.sources.kinds', kindsMatrix(s));
	const secrets = card('admin.sources.secrets', table({
		rows: slots, empty: 'admin.sources.noSlots',
		columns: [
			{ labelKey: 'admin.field.name', render: x => h('code', null, x.name) },
			{ labelKey: 'admin.field.description', render: x => x.description || '' },
			{ labelKey: 'admin.sources.required', render: x => yesNo(x.required) },
			{ labelKey: 'admin.sources.linked', render: x => x.secretId ?
			    badge(secretName(x.secretId) || t('admin.sources.linkedYes'), 'ok') :
			    badge(t('admin.sources.linkedNo'), x.required ? 'err' : 'muted') }
		]
	}));
	const ilists = card('admin.sources.lists', allLists.length ? h('ul', { class: 'plain' },
	    allLists.map(({ l, via }) => h('li', null, h('a', { href: pathOf('/lists', l) }, l.name), ' ',
		via === 'global' || l.global ? badge(t('admin.lists.global'), 'info') :
		    via === 'provider' ? badge(t('admin.sources.viaProvider'), 'muted') : null,
		l.enabled ? null : badge(t('admin.disabled'), 'muted')))) :
	    h('p', { class: 'muted' }, t('admin.none')));
	const parts = [head, h('div', { class: 'grid two' }, info, behaviour, kinds, ilists), secrets];
	if (s.kind !== 'SYSTEM' && s.sourceCode !== null && s.sourceCode !== undefined) {
		const ed = codeEditor({ value: s.sourceCode, kind: s.kind, readOnly: true,
		    label: t('admin.sources.code') });
		parts.push(card('admin.sources.code', ed.el));
	}
	// The last run of the background task (and the runs before it),
	// when the server reports them (lastTask).
	if ('lastTask' in s && (s.taskEnabled || s.lastTask)) {
		const tk = card('admin.sources.lastTask', lastTaskView(s.lastTask));
		if (s.lastTask)
			tk.append(h('h4', null, t('admin.sources.taskRuns')), tasksView(ctx, s));
		parts.push(tk);
	}
	if (ctx.can('request_view'))
		parts.push(card('admin.sources.requests', requestsView(ctx, s)));
	ctx.el.append(...parts);
}

// --- the form -----------------------------------------------------------

function check1(name, checked, labelKey) {
	return h('label', { class: 'check' }, h('input', { type: 'checkbox', name, checked }),
	    ' ', t(labelKey));
}

function numInput(name, value, min = 1, max) {
	return h('input', { type: 'number', name, min, max, step: 1,
	    value: value === null || value === undefined ? '' : String(value) });
}

function kindsInputs(s) {
	const sup = new Set(s.supportedIndicators || KINDS);
	const dis = new Set(s.disabledIndicators || []);
	return h('table', { class: 'table kinds-table', 'data-testid': 'kinds' },
	    h('thead', null, h('tr', null, h('th', null, t('admin.field.kind')),
		h('th', null, t('admin.sources.supported')), h('th', null, t('admin.sources.disabledKind')))),
	    h('tbody', null, KINDS.map(k => h('tr', null, h('td', null, k),
		h('td', null, h('input', { type: 'checkbox', dataset: { sup: k }, checked: sup.has(k),
		    'aria-label': t('admin.sources.supported') + ' ' + k })),
		h('td', null, h('input', { type: 'checkbox', dataset: { dis: k }, checked: dis.has(k),
		    'aria-label': t('admin.sources.disabledKind') + ' ' + k }))))));
}

// The secret slots table: {el, value, changed}.
function slotsInput(ctx, slots, secrets) {
	const mayLink = ctx.can('secrets_edit') && secrets !== null;
	const body = h('tbody');
	const addRow = x => {
		const sel = h('select', { class: 'slot-secret', disabled: !mayLink,
		    'aria-label': t('admin.sources.linkedSecret') },
		    h('option', { value: '' }, t('admin.sources.noSecret')),
		    (secrets || []).map(sc => h('option', { value: sc.id, selected: sc.id === x.secretId }, sc.name)));
		if (x.secretId && !(secrets || []).some(sc => sc.id === x.secretId))
			sel.append(h('option', { value: x.secretId, selected: true }, x.secretId));
		const tr = h('tr', { class: 'slot' },
		    h('td', null, h('input', { type: 'text', class: 'slot-name', value: x.name || '',
			pattern: '[A-Z0-9_]{1,100}', 'aria-label': t('admin.field.name'),
			placeholder: 'API_KEY' })),
		    h('td', null, h('input', { type: 'text', class: 'slot-desc', value: x.description || '',
			'aria-label': t('admin.field.description') })),
		    h('td', null, h('input', { type: 'checkbox', class: 'slot-req', checked: !!x.required,
			'aria-label': t('admin.sources.required') })),
		    h('td', null, sel),
		    h('td', null, h('button', { type: 'button', class: 'btn small',
			onclick: () => tr.remove() }, t('admin.remove'))));
		body.append(tr);
	};
	(slots || []).forEach(addRow);
	const read = () => [...body.querySelectorAll('tr.slot')].map(tr => {
		const o = {
			name: tr.querySelector('.slot-name').value.trim().toUpperCase(),
			description: tr.querySelector('.slot-desc').value.trim() || null,
			required: tr.querySelector('.slot-req').checked
		};
		const sid = tr.querySelector('.slot-secret').value;
		if (sid)
			o.secretId = sid;
		return o;
	}).filter(o => o.name);
	const norm = a => JSON.stringify(a.map(o => [o.name, o.description || null,
	    !!o.required, o.secretId || null]).sort());
	const initial = norm(slots || []);
	return {
		el: h('div', { class: 'slots', 'data-name': 'secrets' },
		    h('table', { class: 'table' },
			h('thead', null, h('tr', null, h('th', null, t('admin.field.name')),
			    h('th', null, t('admin.field.description')), h('th', null, t('admin.sources.required')),
			    h('th', null, t('admin.sources.linkedSecret')), h('th'))),
			body),
		    h('button', { type: 'button', class: 'btn small', 'data-testid': 'add-slot',
			onclick: () => addRow({ required: true }) }, t('admin.sources.addSlot'))),
		get value() {
			return read();
		},
		get changed() {
			return norm(read()) !== initial;
		}
	};
}

async function templates(ctx) {
	try {
		const c = await ctx.api.get('/config', null, { signal: ctx.signal });
		const v = k => c[k] ? (c[k].value !== null && c[k].value !== undefined ?
		    c[k].value : c[k].defaultValue) : '';
		return { PYTHON: v(TEMPLATE_KEY.PYTHON), JAVA_SCRIPT: v(TEMPLATE_KEY.JAVA_SCRIPT) };
	} catch (e) {
		return { PYTHON: '', JAVA_SCRIPT: '' };
	}
}

// The "test with an indicator" panel.
function testPanel(ctx, getState) {
	const data = h('input', { type: 'text', name: 'testData', placeholder: '1.1.1.1',
	    'aria-label': t('admin.sources.testData'), 'data-testid': 'test-data' });
	const kind = h('select', { name: 'testKind', 'aria-label': t('admin.field.kind'),
	    'data-testid': 'test-kind' }, KINDS.map(k => h('option', { value: k }, k)));
	// The kind follows the indicator until the user picks one.
	let autoKind = true;
	kind.addEventListener('change', () => { autoKind = false; });
	data.addEventListener('input', () => {
		const k = autoKind ? detectKind(data.value) : null;
		if (k)
			kind.value = k;
	});
	const out = h('div', { class: 'test-result', 'data-testid': 'test-result', 'aria-live': 'polite' });
	const btn = h('button', { type: 'button', class: 'btn', 'data-testid': 'test-run' },
	    t('admin.sources.testRun'));
	const run = async () => {
		const st = getState();
		clear(out);
		if (!data.value.trim()) {
			out.append(h('p', { class: 'field-error' }, t('admin.sources.testNeedsData')));
			data.focus();
			return;
		}
		if (!st.code.trim()) {
			out.append(h('p', { class: 'field-error' }, t('admin.sources.testNeedsCode')));
			return;
		}
		btn.disabled = true;
		out.append(loading());
		try {
			const body = { kind: st.kind, code: st.code, data: data.value.trim(),
			    indicatorKind: kind.value };
			if (st.configValues)
				body.configValues = st.configValues;
			if (st.timeout)
				body.timeout = st.timeout;
			const r = await ctx.api.post(BASE + '/test', body, { timeout: 700000 });
			clear(out);
			const errs = r.errors || [];
			out.append(h('div', { class: 'toolbar' },
			    errs.length ? badge(t('admin.sources.testFailed'), 'err', { 'data-testid': 'test-status' }) :
				badge(t('admin.sources.testOk'), 'ok', { 'data-testid': 'test-status' }),
			    badge(fmtMs(r.elapsedMs || 0), (r.elapsedMs || 0) > 1000 ? 'err' : 'muted')));
			for (const e of errs)
				out.append(h('div', { class: 'test-error' }, badge(e.kind, 'err'), ' ',
				    h('span', null, e.content === undefined ? '' :
					typeof e.content === 'string' ? e.content : JSON.stringify(e.content))));
			if (!errs.length)
				out.append(jsonView(r.data, { collapsed: 3 }));
		} catch (e) {
			clear(out);
			out.append(h('p', { class: 'field-error' }, e.message || String(e)));
			if (!(e instanceof ApiError) || e.status !== 422)
				ctx.toast.error(e);
		} finally {
			btn.disabled = false;
		}
	};
	btn.addEventListener('click', run);
	data.addEventListener('keydown', e => {
		if (e.key === 'Enter') {
			e.preventDefault();
			run();
		}
	});
	return h('div', { class: 'test-panel' },
	    h('h4', null, t('admin.sources.test')),
	    h('p', { class: 'muted' }, t('admin.sources.testHint')),
	    h('div', { class: 'toolbar' }, data, kind, btn), out);
}

async function sourceForm(ctx, s) {
	await adminCss();
	const creating = !s;
	s = s || { enabled: true, kind: 'PYTHON', tags: [], supportedIndicators: [...KINDS],
	    disabledIndicators: [], taskEnabled: false, limitEnabled: false,
	    cacheEnabled: false, configValues: [], config: [] };
	const sig = { signal: ctx.signal };
	const [providers, allLists, linked, slots, secrets, tpl] = await Promise.all([
		ctx.api.get('/providers', null, sig),
		ctx.api.get('/ignoreLists', null, sig),
		creating ? [] : ctx.api.get(BASE + '/' + s.id + '/ignoreLists', null, sig),
		creating ? [] : ctx.api.get(BASE + '/' + s.id + '/secrets', null, sig),
		ctx.can('secrets_view') ? ctx.api.get('/secrets', null, sig) : null,
		templates(ctx)
	]);
	clear(ctx.el);
	const system = s.kind === 'SYSTEM';
	const kindSel = h('select', { name: 'kind', disabled: system, 'data-testid': 'kind' },
	    ['SYSTEM', ...CODE_KINDS].map(k => h('option', { value: k, selected: k === s.kind,
		disabled: k === 'SYSTEM' && !system }, kindLabel(k))));
	const provSel = h('select', { name: 'providerId' },
	    h('option', { value: '' }, t('admin.none')),
	    providers.map(p => h('option', { value: p.id, selected: p.id === s.providerId }, p.name)));
	const fav = faviconInput(s.favicon);
	const lists = picker('ignoreLists', allLists.filter(l => !l.global),
	    linked.map(l => l.id));
	const slotsIn = slotsInput(ctx, slots, secrets);
	const code = codeEditor({
		value: s.sourceCode || (creating ? tpl[s.kind] || '' : ''),
		kind: s.kind, readOnly: system, label: t('admin.sources.code')
	});
	const configValues = h('textarea', { name: 'configValues', rows: 3, class: 'mono',
	    spellcheck: 'false' });
	configValues.value = JSON.stringify(s.configValues || [], null, 1);
	const resetTpl = h('button', { type: 'button', class: 'btn small', 'data-testid': 'template',
	    onclick: async () => {
		const k = kindSel.value;
		if (code.value.trim() && code.value !== tpl[k] &&
		    !await ctx.confirm(t('admin.sources.templateConfirm'), { okKey: 'admin.sources.template' }))
			return;
		code.value = tpl[k] || '';
	} }, t('admin.sources.template'));
	kindSel.addEventListener('change', () => {
		const k = kindSel.value;
		const was = Object.values(tpl).includes(code.value) || !code.value.trim();
		code.setKind(k);
		if (was)
			code.value = tpl[k] || '';
	});
	const timeoutIn = numInput('timeout', s.timeout, 1, 600);
	const parseConfig = () => {
		const raw = configValues.value.trim();
		if (!raw)
			return [];
		const v = JSON.parse(raw);
		if (!Array.isArray(v))
			throw new Error('not an array');
		return v;
	};
	const test = system ? null : testPanel(ctx, () => {
		let cv = null;
		try {
			cv = parseConfig();
		} catch (e) { /* checked on save */ }
		return { kind: kindSel.value, code: code.value, configValues: cv,
		    timeout: numberOrNull(timeoutIn.value) };
	});
	const form = h('form', { class: 'form source-form', novalidate: true, 'data-testid': 'source-form' },
	    h('div', { class: 'grid two' },
		card('admin.sources.general',
		    checkbox('enabled', s.enabled, 'admin.field.enabled'),
		    nameRows(ctx, s, creating),
		    row('tags', 'admin.field.tags', tagsInput(s.tags)),
		    row('kind', 'admin.field.kind', kindSel),
		    row('url', 'admin.field.url', h('input', { type: 'url', value: s.url || '',
			placeholder: 'https://' })),
		    h('div', { class: 'field', dataset: { field: 'favicon' } },
			h('span', { class: 'label' }, t('admin.field.favicon')), fav.el),
		    row('providerId', 'admin.field.provider', provSel),
		    row('timeout', 'admin.sources.timeout', timeoutIn, 'admin.sources.timeoutHint')),
		card('admin.sources.behaviour',
		    h('fieldset', null, h('legend', null, t('admin.sources.limit')),
			check1('limitEnabled', s.limitEnabled, 'admin.field.enabled'),
			row('limitCount', 'admin.sources.limitCount', numInput('limitCount', s.limitCount)),
			row('limitInterval', 'admin.sources.intervalS', numInput('limitInterval', s.limitInterval))),
		    h('fieldset', null, h('legend', null, t('admin.sources.task')),
			check1('taskEnabled', s.taskEnabled, 'admin.field.enabled'),
			row('taskInterval', 'admin.sources.intervalS', numInput('taskInterval', s.taskInterval))),
		    h('fieldset', null, h('legend', null, t('admin.sources.cache')),
			check1('cacheEnabled', s.cacheEnabled, 'admin.field.enabled'),
			row('cacheInterval', 'admin.sources.ttl', numInput('cacheInterval', s.cacheInterval)))),
		card('admin.sources.kinds', kindsInputs(s)),
		card('admin.sources.lists', lists.el)),
	    card('admin.sources.secrets', slotsIn.el),
	    system ? null : card('admin.sources.code',
		h('div', { class: 'toolbar' }, resetTpl),
		h('div', { class: 'field', dataset: { field: 'sourceCode' } }, code.el,
		    h('div', { class: 'field-error', role: 'alert', hidden: true })),
		row('configValues', 'admin.sources.configValues', configValues, 'admin.sources.configValuesHint'),
		test),
	    formActions(ctx, creating ? null : s, { base: BASE,
		deleteKey: 'admin.sources.deleteConfirm' }));

	let made = null, pending = false;
	form.addEventListener('submit', async e => {
		e.preventDefault();
		const v = form.elements;
		const on = n => v[n].checked;
		if (!check(form, {
			name: { required: true, minLength: 2, maxLength: 100 },
			description: { maxLength: 5000 },
			url: { required: true, url: true, maxLength: 2048 },
			limitCount: { integer: true, min: 1 },
			limitInterval: { integer: true, min: 1 },
			taskInterval: { integer: true, min: 1 },
			cacheInterval: { integer: true, min: 1 },
			timeout: { integer: true, min: 1, max: 600 }
		}, [['limitCount', on('limitEnabled')], ['limitInterval', on('limitEnabled')],
		    ['taskInterval', on('taskEnabled')], ['cacheInterval', on('cacheEnabled')]]))
			return;
		let cv;
		try {
			cv = system ? s.configValues : parseConfig();
		} catch (err) {
			setFieldError(form, 'configValues', t('admin.sources.configValuesBad'));
			return;
		}
		if (!system && !code.value.trim()) {
			setFieldError(form, 'sourceCode', t('core.form.required'));
			return;
		}
		const badSlot = slotsIn.value.find(x => !/^[A-Z0-9_]{1,100}$/.test(x.name));
		if (badSlot) {
			ctx.toast(t('admin.sources.slotBad', { name: badSlot.name }), 'error');
			return;
		}
		const sup = KINDS.filter(k => form.querySelector(`[data-sup="${k}"]`).checked);
		const dis = KINDS.filter(k => form.querySelector(`[data-dis="${k}"]`).checked);
		const body = {
			name: v.name.value.trim(),
			description: v.description.value.trim(),
			url: v.url.value.trim(),
			tags: parseTags(v.tags.value),
			enabled: on('enabled'),
			supportedIndicators: sup,
			disabledIndicators: dis,
			taskEnabled: on('taskEnabled'),
			taskInterval: numberOrNull(v.taskInterval.value),
			limitEnabled: on('limitEnabled'),
			limitCount: numberOrNull(v.limitCount.value),
			limitInterval: numberOrNull(v.limitInterval.value),
			cacheEnabled: on('cacheEnabled'),
			cacheInterval: numberOrNull(v.cacheInterval.value),
			providerId: provSel.value || null,
			timeout: numberOrNull(timeoutIn.value)
		};
		if (!system) {
			body.kind = kindSel.value;
			body.sourceCode = code.value;
			body.configValues = cv;
		}
		if (fav.value !== undefined)
			body.favicon = fav.value;
		const done = await submit(ctx, form, async () => {
			// A retry after the links failed changes what was created.
			if (creating && !made) {
				body.config = [];
				for (const k of Object.keys(body))
					if (body[k] === null)
						delete body[k];
				made = await ctx.api.post(BASE, body);
				pending = made.runnerSync === 'pending';
			} else {
				const r = await ctx.api.request('PATCH', BASE + '/' + (made || s).id,
				    { body, raw: true });
				pending = r.headers.get('X-Runner-Sync') === 'pending';
			}
			const id = (made || s).id;
			await ctx.api.put(BASE + '/' + id + '/ignoreLists', lists.value);
			if (creating ? slotsIn.value.length : slotsIn.changed)
				await ctx.api.put(BASE + '/' + id + '/secrets', slotsIn.value);
			// The slug, which a new name changed, for the page's path.
			return (await ctx.api.get(BASE + '/' + id)).slug || id;
		});
		if (done === undefined)
			return;
		ctx.toast(t(creating ? 'admin.created' : 'admin.saved', { name: body.name }), 'success');
		// Saved, but the runner was not reached: it gets the code later.
		if (pending)
			ctx.toast(t('admin.sources.syncPending'), 'info');
		ctx.navigate(BASE + '/' + encodeURIComponent(done));
	});
	ctx.el.append(form);
}

export const { create, edit } = formPages({
	api: BASE, entity: 'core.entity.source', form: sourceForm,
	newTitle: ['admin.sources.newTitle', 'admin.sources.newDesc'],
	editTitle: ['admin.sources.editTitle', 'admin.sources.editDesc']
});
