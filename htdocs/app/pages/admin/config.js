// config.js -- the configuration page: the user's API tokens (secret
// shown once, with copy), secrets (values masked, revealed on demand
// with secrets_view) and the typed server config editor with reset to
// default.
import { h } from '../../dom.js';
import { ApiError } from '../../api.js';
import { t } from '../../i18n.js';
import { badge } from '../../components/badge.js';
import { table } from '../../components/table.js';
import { setFieldError, clearFieldErrors } from '../../components/form.js';
import { codeEditor } from './editor.js';
import { adminCss, dateOf, card, loading, row, check, submit, userLink, fill } from './common.js';

// A date input's day as the API's UTC timestamp (the end of that day).
function expiryOf(v) {
	return v ? v + 'T23:59:59' : null;
}

function dayOf(ts) {
	return ts ? String(ts).slice(0, 10) : '';
}

async function copy(ctx, text, el) {
	try {
		await navigator.clipboard.writeText(text);
		ctx.toast(t('admin.copied'), 'success');
	} catch (e) {
		// No clipboard (plain http, permissions): select it instead.
		if (el) {
			const r = document.createRange();
			r.selectNodeContents(el);
			const s = window.getSelection();
			s.removeAllRanges();
			s.addRange(r);
		}
		ctx.toast(t('admin.copyManual'), 'info');
	}
}

// The credential, shown once, with a copy button.
function shownOnce(ctx, credential) {
	const code = h('code', { class: 'secret-once', 'data-testid': 'token-value' }, credential);
	return h('div', { class: 'once card', role: 'status', 'data-testid': 'token-once' },
	    h('p', null, h('strong', null, t('admin.config.tokenOnce'))),
	    h('div', { class: 'toolbar' }, code,
		h('button', { type: 'button', class: 'btn small', 'data-testid': 'copy',
		    onclick: () => copy(ctx, credential, code) }, t('admin.copy'))));
}

// --- API tokens ------------------------------------------------------------

function tokensSection(ctx) {
	const box = h('div', { 'data-testid': 'tokens' });
	const once = h('div');
	const render = async () => {
		const rows = await ctx.api.get('/apiTokens', null, { signal: ctx.signal });
		fill(box, table({
			rows, empty: 'admin.config.noTokens',
			columns: [
				{ labelKey: 'admin.config.note', render: x => x.note },
				{ labelKey: 'admin.field.created', render: x => dateOf(x.createdAt) },
				{ labelKey: 'admin.config.expires', render: x => x.expiresAt ?
				    dateOf(x.expiresAt) : t('admin.never') },
				{ labelKey: 'admin.config.lastUsed', render: x => x.lastUsedAt ?
				    dateOf(x.lastUsedAt) : t('admin.never') },
				{ label: '', render: x => h('span', { class: 'toolbar tight' },
				    h('button', { type: 'button', class: 'btn small', onclick: () => editToken(x) },
					t('admin.edit')),
				    h('button', { type: 'button', class: 'btn small', onclick: async () => {
					if (!await ctx.confirm(t('admin.config.regenConfirm', { note: x.note })))
						return;
					try {
						const secret = await ctx.api.post('/apiTokens/' + x.id + '/regenerate');
						fill(once, shownOnce(ctx, x.id + '_' + String(secret).trim()));
					} catch (e) {
						ctx.toast.error(e);
					}
				    } }, t('admin.config.regenerate')),
				    h('button', { type: 'button', class: 'btn small danger', onclick: async () => {
					if (!await ctx.confirm(t('admin.config.tokenDeleteConfirm', { note: x.note }),
					    { okKey: 'admin.delete', danger: true }))
						return;
					try {
						await ctx.api.del('/apiTokens/' + x.id);
						ctx.toast(t('admin.deleted', { name: x.note }), 'success');
						await render();
					} catch (e) {
						ctx.toast.error(e);
					}
				    } }, t('admin.delete')))
				}
			]
		}), rows.length > 1 ? h('div', { class: 'toolbar end' },
		    h('button', { type: 'button', class: 'btn small danger', onclick: async () => {
			if (!await ctx.confirm(t('admin.config.tokensDeleteAll', { n: rows.length }),
			    { okKey: 'admin.delete', danger: true }))
				return;
			try {
				for (const x of rows)
					await ctx.api.del('/apiTokens/' + x.id);
			} catch (e) {
				ctx.toast.error(e);
			}
			await render();
		    } }, t('admin.config.deleteAll'))) : null);
	};
	const editToken = x => {
		const form = h('form', { class: 'form inline-form', novalidate: true },
		    row('note', 'admin.config.note', h('input', { type: 'text', value: x.note, maxlength: 200 })),
		    row('expiresAt', 'admin.config.expires', h('input', { type: 'date', value: dayOf(x.expiresAt) })),
		    h('div', { class: 'toolbar' },
			h('button', { type: 'button', class: 'btn', onclick: () => render().catch(ctx.toast.error) },
			    t('admin.cancel')),
			h('button', { type: 'submit', class: 'btn primary' }, t('admin.save'))));
		form.addEventListener('submit', async e => {
			e.preventDefault();
			if (!check(form, { note: { required: true, maxLength: 200 } }))
				return;
			const ok = await submit(ctx, form, () => ctx.api.patch('/apiTokens/' + x.id, {
				note: form.elements.note.value.trim(),
				expiresAt: expiryOf(form.elements.expiresAt.value)
			}).then(() => true));
			if (ok)
				await render();
		});
		fill(box, form);
	};
	const form = h('form', { class: 'form inline-form', novalidate: true, 'data-testid': 'token-form' },
	    row('note', 'admin.config.note', h('input', { type: 'text', maxlength: 200,
		placeholder: t('admin.config.notePlaceholder') })),
	    row('expiresAt', 'admin.config.expiresOptional', h('input', { type: 'date' })),
	    h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'token-create' },
		t('admin.config.newToken')));
	form.addEventListener('submit', async e => {
		e.preventDefault();
		if (!check(form, { note: { required: true, maxLength: 200 } }))
			return;
		const r = await submit(ctx, form, () => ctx.api.post('/apiTokens', {
			note: form.elements.note.value.trim(),
			expiresAt: expiryOf(form.elements.expiresAt.value)
		}));
		if (!r)
			return;
		form.reset();
		fill(once, shownOnce(ctx, r.id + '_' + r.token));
		await render();
	});
	render().catch(ctx.toast.error);
	return card('admin.config.tokens', h('p', { class: 'muted' }, t('admin.config.tokensHint')),
	    form, once, box);
}

// --- secrets ---------------------------------------------------------------

function secretsSection(ctx) {
	const box = h('div', { 'data-testid': 'secrets' });
	const canEdit = ctx.can('secrets_edit');
	const secretForm = (x, done) => {
		const creating = !x;
		x = x || {};
		const form = h('form', { class: 'form inline-form', novalidate: true,
		    'data-testid': creating ? 'secret-form' : 'secret-edit' },
		    row('name', 'admin.field.name', h('input', { type: 'text', value: x.name || '',
			maxlength: 100, autocomplete: 'off', placeholder: 'SHODAN_API_KEY' })),
		    row('description', 'admin.field.description', h('input', { type: 'text',
			value: x.description || '', maxlength: 5000 })),
		    row('value', creating ? 'admin.config.value' : 'admin.config.newValue',
			h('input', { type: 'password', autocomplete: 'new-password', spellcheck: 'false' })),
		    row('expiresAt', 'admin.config.expiresOptional', h('input', { type: 'date',
			value: dayOf(x.expiresAt) })),
		    h('div', { class: 'toolbar' },
			creating ? null : h('button', { type: 'button', class: 'btn', onclick: done },
			    t('admin.cancel')),
			h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'secret-save' },
			    t(creating ? 'admin.config.newSecret' : 'admin.save'))));
		form.addEventListener('submit', async e => {
			e.preventDefault();
			if (!check(form, {
				name: { required: true, maxLength: 100 },
				description: { maxLength: 5000 },
				value: { required: creating, maxLength: 16384 }
			}))
				return;
			const v = form.elements;
			const body = {
				name: v.name.value.trim(),
				description: v.description.value.trim() || null,
				expiresAt: expiryOf(v.expiresAt.value)
			};
			if (v.value.value)
				body.value = v.value.value;
			const ok = await submit(ctx, form, () => (creating ?
			    ctx.api.post('/secrets', body) :
			    ctx.api.patch('/secrets/' + x.id, body)).then(() => true));
			v.value.value = '';
			if (!ok)
				return;
			ctx.toast(t(creating ? 'admin.created' : 'admin.saved', { name: body.name }), 'success');
			form.reset();
			done();
		});
		return form;
	};
	const reveal = x => {
		const out = h('code', { class: 'masked', 'data-testid': 'secret-value' }, '••••••••');
		let shown = false;
		const btn = h('button', { type: 'button', class: 'btn small', 'data-testid': 'reveal',
		    onclick: async () => {
			if (shown) {
				out.textContent = '••••••••';
				btn.textContent = t('admin.config.reveal');
				shown = false;
				return;
			}
			try {
				const v = await ctx.api.get('/secrets/' + x.id + '/value');
				out.textContent = String(v);
				btn.textContent = t('admin.config.hide');
				shown = true;
			} catch (e) {
				ctx.toast.error(e);
			}
		} }, t('admin.config.reveal'));
		const cp = h('button', { type: 'button', class: 'btn small', onclick: async () => {
			try {
				copy(ctx, String(await ctx.api.get('/secrets/' + x.id + '/value')), out);
			} catch (e) {
				ctx.toast.error(e);
			}
		} }, t('admin.copy'));
		return h('span', { class: 'toolbar tight' }, out, btn, cp);
	};
	const render = async () => {
		if (!ctx.can('secrets_view')) {
			fill(box, h('p', { class: 'muted' }, t('admin.config.secretsNoView')));
			return;
		}
		const rows = await ctx.api.get('/secrets', null, { signal: ctx.signal });
		fill(box, table({
			rows, empty: 'admin.config.noSecrets',
			columns: [
				{ labelKey: 'admin.field.name', render: x => h('code', null, x.name) },
				{ labelKey: 'admin.field.description', render: x => x.description || '' },
				{ labelKey: 'admin.config.value', render: reveal },
				{ labelKey: 'admin.config.numSources', render: x => String(x.numSources || 0) },
				{ labelKey: 'admin.config.expires', render: x => x.expiresAt ?
				    dateOf(x.expiresAt) : t('admin.never') },
				{ label: '', render: x => canEdit ? h('span', { class: 'toolbar tight' },
				    h('button', { type: 'button', class: 'btn small', onclick: () => {
					fill(box, secretForm(x, () => render().catch(ctx.toast.error)));
				    } }, t('admin.edit')),
				    h('button', { type: 'button', class: 'btn small danger', onclick: async () => {
					if (!await ctx.confirm(t('admin.config.secretDeleteConfirm', { name: x.name }),
					    { okKey: 'admin.delete', danger: true }))
						return;
					try {
						await ctx.api.del('/secrets/' + x.id);
						ctx.toast(t('admin.deleted', { name: x.name }), 'success');
						await render();
					} catch (e) {
						ctx.toast.error(e);
					}
				    } }, t('admin.delete'))) : null }
			]
		}));
	};
	render().catch(ctx.toast.error);
	return card('admin.config.secrets', h('p', { class: 'muted' }, t('admin.config.secretsHint')),
	    canEdit ? secretForm(null, () => render().catch(ctx.toast.error)) : null, box);
}

// --- server config -----------------------------------------------------------

const CODE_MODE = { python_source_template: 'PYTHON', javascript_source_template: 'JAVA_SCRIPT' };

async function serverSection(ctx) {
	const box = h('div', { 'data-testid': 'server-config' });
	const canEdit = ctx.can('config_edit');
	const render = async () => {
		const cfg = await ctx.api.get('/config', null, { signal: ctx.signal });
		const inputs = {};
		const groups = {};
		for (const [key, c] of Object.entries(cfg))
			(groups[c.category] = groups[c.category] || []).push([key, c]);
		const cur = c => c.value !== null && c.value !== undefined ? c.value : c.defaultValue;
		const form = h('form', { class: 'form', novalidate: true, 'data-testid': 'config-form' });
		for (const [cat, keys] of Object.entries(groups)) {
			const fs = h('fieldset', { class: 'config-group' },
			    h('legend', null, t('admin.config.category.' + cat)));
			for (const [key, c] of keys) {
				let input, get;
				switch (c.kind) {
				case 'BOOLEAN':
					input = h('input', { type: 'checkbox', name: key, checked: !!cur(c),
					    disabled: !canEdit });
					get = () => input.checked;
					break;
				case 'NUMBER':
					input = h('input', { type: 'number', name: key, step: 1, min: 0,
					    value: String(cur(c)), disabled: !canEdit });
					get = () => input.value.trim() === '' ? null : Number(input.value);
					break;
				case 'CODE': {
					const ed = codeEditor({ value: String(cur(c) || ''), kind: CODE_MODE[key],
					    readOnly: !canEdit, name: key, label: c.friendlyName });
					input = ed.el;
					get = () => ed.value;
					inputs[key] = { c, get, set: v => { ed.value = v; } };
					break;
				}
				default:
					input = h('input', { type: 'text', name: key, value: String(cur(c) ?? ''),
					    disabled: !canEdit });
					get = () => input.value;
				}
				if (!inputs[key])
					inputs[key] = { c, get, set: v => {
						if (input.type === 'checkbox')
							input.checked = !!v;
						else
							input.value = String(v ?? '');
					} };
				const control = c.kind === 'BOOLEAN' ? h('label', { class: 'check' }, input, ' ',
				    t('admin.field.enabled')) : input;
				const overridden = c.value !== null && c.value !== undefined;
				fs.append(h('div', { class: 'field config-key', dataset: { field: key, key } },
				    h('label', null, c.friendlyName || key, ' ',
					h('code', { class: 'muted' }, key), ' ',
					overridden ? badge(t('admin.config.overridden'), 'info') :
					    badge(t('admin.default'), 'muted')),
				    control,
				    h('div', { class: 'field-hint muted' }, c.description || ''),
				    overridden ? h('div', { class: 'field-hint muted' },
					t('admin.config.lastChange'), ' ', dateOf(c.updatedAt), ' ',
					c.lastModifiedUserId ? userLink(ctx, c.lastModifiedUserId) : null) : null,
				    canEdit ? h('div', { class: 'toolbar tight' },
					overridden ? h('button', { type: 'button', class: 'btn small',
					    dataset: { reset: key }, onclick: async () => {
						if (!await ctx.confirm(t('admin.config.resetConfirm', { key })))
							return;
						try {
							await ctx.api.put('/config', [{ key, value: null }]);
							ctx.toast(t('admin.config.resetDone', { key }), 'success');
							await render();
						} catch (e) {
							ctx.toast.error(e);
						}
					    } }, t('admin.config.resetDefault')) : null) : null,
				    h('div', { class: 'field-error', role: 'alert', hidden: true })));
			}
			form.append(fs);
		}
		if (canEdit) {
			form.append(h('div', { class: 'toolbar end sticky-actions' },
			    h('button', { type: 'button', class: 'btn danger', 'data-testid': 'reset-all',
				onclick: async () => {
				    if (!await ctx.confirm(t('admin.config.resetAllConfirm'), { danger: true }))
					    return;
				    try {
					    await ctx.api.put('/config', Object.keys(cfg).map(key => ({ key, value: null })));
					    ctx.toast(t('admin.config.resetAllDone'), 'success');
					    await render();
				    } catch (e) {
					    ctx.toast.error(e);
				    }
				} }, t('admin.config.resetAll')),
			    h('button', { type: 'button', class: 'btn', onclick: () => {
				for (const { c, set } of Object.values(inputs))
					set(cur(c));
				clearFieldErrors(form);
			    } }, t('admin.config.undo')),
			    h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'config-save' },
				t('admin.save'))));
		}
		form.addEventListener('submit', async e => {
			e.preventDefault();
			clearFieldErrors(form);
			const changes = [];
			for (const [key, { c, get }] of Object.entries(inputs)) {
				const v = get();
				if (c.kind === 'NUMBER' && (v === null || !Number.isInteger(v) || v < 0)) {
					setFieldError(form, key, t('core.form.integer'));
					return;
				}
				if (v !== cur(c))
					changes.push({ key, value: v });
			}
			if (!changes.length) {
				ctx.toast(t('admin.config.noChange'), 'info');
				return;
			}
			try {
				await ctx.api.put('/config', changes);
			} catch (err) {
				const m = err instanceof ApiError && /of ([a-z_]+) \(/.exec(err.message || '');
				if (m)
					setFieldError(form, m[1], err.message);
				ctx.toast.error(err);
				return;
			}
			ctx.toast(t('admin.config.savedN', { n: changes.length }), 'success');
			await render();
		});
		fill(box, form);
	};
	box.append(loading());
	await render();
	return card('admin.config.server', box);
}

export default async function config(ctx) {
	await adminCss();
	ctx.setTitle('admin.config.title', 'admin.config.desc');
	ctx.el.append(tokensSection(ctx), secretsSection(ctx), await serverSection(ctx));
}
