// confirm.js -- a modal yes/no question (a <dialog>).
import { h } from '../dom.js';
import { t } from '../i18n.js';

export function confirmDialog(message, { okKey = 'core.action.confirm', danger = false } = {}) {
	return new Promise(resolve => {
		const ok = h('button', { class: ['btn', danger ? 'danger' : 'primary'],
		    value: 'ok', type: 'submit' }, t(okKey));
		const cancel = h('button', { class: 'btn', value: 'cancel', type: 'submit' },
		    t('core.action.cancel'));
		const dlg = h('dialog', { class: 'dialog' },
		    h('form', { method: 'dialog' },
			h('p', null, message),
			h('div', { class: 'toolbar end' }, cancel, ok)));
		dlg.addEventListener('close', () => {
			resolve(dlg.returnValue === 'ok');
			dlg.remove();
		});
		document.body.appendChild(dlg);
		dlg.showModal();
		cancel.focus();
	});
}
