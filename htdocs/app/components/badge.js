// badge.js -- a small coloured label.
import { h } from '../dom.js';

export function badge(text, kind = 'muted', attrs = {}) {
	return h('span', { ...attrs, class: ['badge', kind, attrs.class] }, text);
}
