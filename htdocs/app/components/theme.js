// theme.js -- dark, light or system (following the OS live).
import { h } from '../dom.js';
import { t, onLangChange } from '../i18n.js';

const KEY = 'iocagg.theme';
const MODES = ['system', 'dark', 'light'];
const mq = window.matchMedia('(prefers-color-scheme: dark)');

export function themeMode() {
	const m = localStorage.getItem(KEY);
	return MODES.includes(m) ? m : 'system';
}

export function applyTheme() {
	const m = themeMode();
	const dark = m === 'dark' || (m === 'system' && mq.matches);
	document.documentElement.dataset.theme = dark ? 'dark' : 'light';
	document.documentElement.dataset.themeMode = m;
	document.dispatchEvent(new CustomEvent('iocagg:theme'));
}

mq.addEventListener('change', () => {
	if (themeMode() === 'system')
		applyTheme();
});

export function setTheme(m) {
	localStorage.setItem(KEY, m);
	applyTheme();
}

export function themeSwitcher() {
	const sel = h('select', { class: 'theme-switch', 'data-testid': 'theme',
	    'aria-label': t('core.theme.label') });
	const fill = () => {
		sel.replaceChildren(...MODES.map(m =>
		    h('option', { value: m, selected: m === themeMode() }, t('core.theme.' + m))));
		sel.setAttribute('aria-label', t('core.theme.label'));
	};
	fill();
	const off = onLangChange(() => sel.isConnected ? fill() : off());
	sel.addEventListener('change', () => setTheme(sel.value));
	return sel;
}
