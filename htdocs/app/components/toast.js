// toast.js -- short messages in a corner; errors stay until closed.
import { h } from '../dom.js';
import { t } from '../i18n.js';

let box;

function container() {
	if (!box || !box.isConnected) {
		box = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
		document.body.appendChild(box);
	}
	return box;
}

export function toast(message, kind = 'info', detail) {
	const close = h('button', { class: 'toast-close', type: 'button',
	    'aria-label': t('core.action.close') }, '×');
	const el = h('div', { class: ['toast', kind], role: kind === 'error' ? 'alert' : null },
	    h('div', { class: 'toast-body' },
		h('div', { class: 'toast-msg' }, message),
		detail ? h('div', { class: 'toast-detail' }, detail) : null),
	    close);
	const remove = () => el.remove();
	close.addEventListener('click', remove);
	container().appendChild(el);
	setTimeout(remove, kind === 'error' ? 10000 : 4000);
	return el;
}

// A readable toast for an ApiError (or any error or string).
export function toastError(err) {
	if (typeof err === 'string')
		return toast(err, 'error');
	if (err && err.code === 'aborted')
		return null;
	if (err && err.name === 'ApiError') {
		const key = 'core.error.' + err.code;
		const title = t(key) !== key ? t(key) :
		    (err.status ? t('core.error.status', { status: err.status }) :
		    t('core.error.network'));
		return toast(title, 'error', err.message);
	}
	return toast(t('core.error.unexpected'), 'error',
	    err && err.message ? err.message : String(err));
}

toast.error = toastError;
