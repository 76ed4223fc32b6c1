// lookup-form.js -- indicator, kind (auto-detected), sources; submits
// to /request?data=…&kind=…[&sources=a,b][&force=1].
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { KINDS, detectKind, isKind } from '../kinds.js';
import { setFieldError, clearFieldErrors } from './form.js';

export function lookupForm(ctx, { data = '', kind = '', sources = [], force = false,
    compact = false } = {}) {
	const input = h('input', { type: 'text', name: 'data', value: data,
	    'data-lookup-input': 'page', 'data-testid': 'lookup-input', autocomplete: 'off',
	    spellcheck: 'false', maxlength: 2048, placeholder: t('core.lookup.placeholder'),
	    'aria-label': t('core.lookup.indicator') });
	// A kind that is the detected one keeps detection on.
	const manual = !!kind && kind !== detectKind(data);
	const auto = h('input', { type: 'checkbox', name: 'auto', checked: !manual });
	const sel = h('select', { name: 'kind', 'data-testid': 'lookup-kind',
	    'aria-label': t('core.lookup.kind'), disabled: !manual },
	    h('option', { value: '' }, t('core.lookup.kindUnknown')),
	    KINDS.map(k => h('option', { value: k, selected: k === kind }, t('core.kind.' + k))));
	const forceBox = h('input', { type: 'checkbox', name: 'force', checked: force });
	const detected = h('span', { class: 'detected muted', 'aria-live': 'polite' });
	const update = () => {
		if (!auto.checked)
			return;
		const k = detectKind(input.value);
		sel.value = k || '';
		detected.textContent = input.value.trim() ? (k ? t('core.lookup.detected',
		    { kind: t('core.kind.' + k) }) : t('core.lookup.notDetected')) : '';
	};
	input.addEventListener('input', update);
	auto.addEventListener('change', () => {
		sel.disabled = auto.checked;
		update();
	});
	const picked = new Set(sources);
	const srcBox = h('div', { class: 'source-picker' });
	let srcList = null;
	const picker = ctx.can('sources_view') ? h('details', { class: 'sources-details' },
	    h('summary', null, t('core.lookup.sources'), ' ',
		h('span', { class: 'muted picked' }, picked.size ?
		    t('core.lookup.sourcesPicked', { n: picked.size }) : t('core.lookup.allSources'))),
	    srcBox) : null;
	if (picker) {
		picker.addEventListener('toggle', async () => {
			if (!picker.open || srcList)
				return;
			try {
				srcList = await ctx.api.get('/sources', null, { signal: ctx.signal }) || [];
			} catch (e) {
				srcList = [];
				ctx.toast.error(e);
			}
			srcBox.replaceChildren(...srcList.filter(s => s.enabled !== false).map(s =>
			    h('label', { class: 'check' }, h('input', { type: 'checkbox', value: s.id,
				checked: picked.has(s.id), onchange: e => {
				    e.target.checked ? picked.add(s.id) : picked.delete(s.id);
				    picker.querySelector('.picked').textContent = picked.size ?
					t('core.lookup.sourcesPicked', { n: picked.size }) :
					t('core.lookup.allSources');
			    } }), ' ', s.name)));
		});
	}
	const form = h('form', { class: ['lookup-form', compact ? 'compact' : null],
	    'data-testid': 'lookup-form', novalidate: true },
	    h('div', { class: 'field', 'data-field': 'data' },
		h('div', { class: 'lookup-row' }, input,
		    h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'lookup-submit' },
			t('core.lookup.submit'))),
		h('div', { class: 'field-error', role: 'alert', hidden: true })),
	    h('div', { class: 'lookup-opts' },
		h('label', { class: 'check' }, auto, ' ', t('core.lookup.autoDetect')), sel, detected,
		h('label', { class: 'check' }, forceBox, ' ', t('core.lookup.force')), picker));
	form.addEventListener('submit', e => {
		e.preventDefault();
		clearFieldErrors(form);
		const v = input.value.trim();
		if (!v) {
			setFieldError(form, 'data', t('core.form.required'));
			input.focus();
			return;
		}
		const k = auto.checked ? detectKind(v) : sel.value;
		if (!auto.checked && k && !isKind(k, v)) {
			setFieldError(form, 'data', t('core.lookup.invalidForKind',
			    { kind: t('core.kind.' + k) }));
			input.focus();
			return;
		}
		if (auto.checked && !k) {
			setFieldError(form, 'data', t('core.lookup.notDetected'));
			input.focus();
			return;
		}
		const q = new URLSearchParams({ data: v });
		if (k)
			q.set('kind', k);
		if (picked.size)
			q.set('sources', [...picked].join(','));
		if (forceBox.checked)
			q.set('force', '1');
		ctx.navigate('/request?' + q.toString());
	});
	update();
	return { form, input };
}
