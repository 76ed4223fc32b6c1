// lang.js -- the language switcher.
import { h } from '../dom.js';
import { t, LANGS, currentLang, setLang, onLangChange } from '../i18n.js';

export function langSwitcher() {
	const sel = h('select', { class: 'lang-switch', 'data-testid': 'lang',
	    'aria-label': t('core.lang.label') },
	    LANGS.map(l => h('option', { value: l, selected: l === currentLang() },
		t('core.lang.' + l))));
	const off = onLangChange(() => {
		if (!sel.isConnected)
			return off();
		sel.value = currentLang();
		sel.setAttribute('aria-label', t('core.lang.label'));
	});
	sel.addEventListener('change', () => setLang(sel.value));
	return sel;
}
