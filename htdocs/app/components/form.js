// form.js -- labelled fields, client checks and the API's field errors.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export function field({ name, labelKey, label, input, hintKey }) {
	if (input && name && !input.name)
		input.name = name;
	const id = input && (input.id || (input.id = 'f-' + name + '-' +
	    Math.random().toString(36).slice(2, 7)));
	return h('div', { class: 'field', dataset: { field: name } },
	    h('label', { for: id }, label || t(labelKey)),
	    input,
	    hintKey ? h('div', { class: 'field-hint muted' }, t(hintKey)) : null,
	    h('div', { class: 'field-error', role: 'alert', hidden: true }));
}

function slotFor(form, name) {
	const f = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
	if (f)
		return f.querySelector('.field-error');
	const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
	if (!input)
		return null;
	let s = input.parentElement.querySelector('.field-error');
	if (!s) {
		s = h('div', { class: 'field-error', role: 'alert' });
		input.after(s);
	}
	return s;
}

export function setFieldError(form, name, message) {
	const s = slotFor(form, name);
	if (!s)
		return false;
	s.textContent = message;
	s.hidden = false;
	const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
	if (input)
		input.setAttribute('aria-invalid', 'true');
	return true;
}

// A client check's message next to field "name"; "first": the first
// failing field, which takes the focus.
export function failField(form, name, message, first) {
	setFieldError(form, name, message);
	if (first) {
		const i = form.querySelector(`[name="${CSS.escape(name)}"]`);
		if (i)
			i.focus();
	}
}

export function clearFieldErrors(form) {
	form.querySelectorAll('.field-error').forEach(e => {
		e.textContent = '';
		e.hidden = true;
	});
	form.querySelectorAll('[aria-invalid]').forEach(e =>
	    e.removeAttribute('aria-invalid'));
}

// The fields of an ApiError next to their inputs; true when any found
// its place (else the caller toasts the error).
export function showFieldErrors(form, err) {
	let placed = false;
	for (const [name, msg] of Object.entries((err && err.fields) || {}))
		placed = setFieldError(form, name, msg) || placed;
	return placed;
}

export function formData(form) {
	const o = {};
	for (const el of form.elements) {
		if (!el.name || el.disabled)
			continue;
		if (el.type === 'checkbox')
			o[el.name] = el.checked;
		else if (el.type === 'number')
			o[el.name] = el.value === '' ? null : Number(el.value);
		else if (el.tagName === 'SELECT' && el.multiple)
			o[el.name] = [...el.selectedOptions].map(x => x.value);
		else if (el.type !== 'submit' && el.type !== 'button')
			o[el.name] = el.value;
	}
	return o;
}

// rules: { name: { required, minLength, maxLength, min, max, integer,
// url, pattern, check(value) -> messageKey|null } }.  Shows the
// messages and answers whether all passed.
export function validate(form, rules) {
	clearFieldErrors(form);
	const data = formData(form);
	let ok = true;
	for (const [name, r] of Object.entries(rules)) {
		const v = data[name];
		const s = v === null || v === undefined ? '' : String(v).trim();
		let msg = null;
		if (r.required && s === '')
			msg = t('core.form.required');
		else if (s !== '') {
			if (r.minLength && s.length < r.minLength)
				msg = t('core.form.minLength', { n: r.minLength });
			else if (r.maxLength && s.length > r.maxLength)
				msg = t('core.form.maxLength', { n: r.maxLength });
			else if (r.integer && !/^-?\d+$/.test(s))
				msg = t('core.form.integer');
			else if (r.min !== undefined && Number(s) < r.min)
				msg = t('core.form.min', { n: r.min });
			else if (r.max !== undefined && Number(s) > r.max)
				msg = t('core.form.max', { n: r.max });
			else if (r.url && !/^https?:\/\/[^\s/]+/i.test(s))
				msg = t('core.form.url');
			else if (r.pattern && !r.pattern.test(s))
				msg = t('core.form.invalid');
			else if (r.check) {
				const k = r.check(s, data);
				if (k)
					msg = t(k);
			}
		}
		if (msg) {
			failField(form, name, msg, ok);
			ok = false;
		}
	}
	return ok;
}
