// editor.js -- a code editor for source code: CodeMirror 5 from Debian's
// libjs-codemirror (served under /javascript/), with a plain textarea
// when it cannot be loaded.  The value is read and written as text only.
import { h, loadScript, loadCss } from '../../dom.js';

const CM = '/javascript/codemirror';
const MODES = { PYTHON: 'python', JAVA_SCRIPT: 'javascript' };

let ready = null;

function loadCodeMirror() {
	if (!ready) {
		ready = (async () => {
			await Promise.all([
				loadCss(CM + '/lib/codemirror.css'),
				loadScript(CM + '/lib/codemirror.js')
			]);
			await Promise.all([
				loadScript(CM + '/mode/python/python.js'),
				loadScript(CM + '/mode/javascript/javascript.js'),
				loadScript(CM + '/addon/edit/matchbrackets.js')
			]);
			return window.CodeMirror;
		})().catch(() => null);
	}
	return ready;
}

// codeEditor({ value, kind, readOnly, name, label }) -> { el, get value,
// set value, setKind(kind), focus(), ready }.  "kind" is a source kind
// (PYTHON, JAVA_SCRIPT); anything else shows plain text.
export function codeEditor({ value = '', kind = 'PYTHON', readOnly = false,
    name = 'sourceCode', label = '' } = {}) {
	const ta = h('textarea', {
		name, class: 'code-input', spellcheck: 'false', rows: 18,
		'aria-label': label, readOnly
	});
	ta.value = value;
	const el = h('div', { class: 'code-editor', dataset: { kind } }, ta);
	let cm = null;
	const api = {
		el,
		get value() {
			return cm ? cm.getValue() : ta.value;
		},
		set value(v) {
			if (cm)
				cm.setValue(v || '');
			else
				ta.value = v || '';
		},
		setKind(k) {
			el.dataset.kind = k;
			if (cm)
				cm.setOption('mode', MODES[k] || null);
		},
		focus() {
			(cm || ta).focus();
		},
		refresh() {
			if (cm)
				cm.refresh();
		}
	};
	api.ready = loadCodeMirror().then(CodeMirror => {
		if (!CodeMirror)
			return api;
		cm = CodeMirror.fromTextArea(ta, {
			mode: MODES[el.dataset.kind] || null,
			lineNumbers: true,
			indentUnit: el.dataset.kind === 'PYTHON' ? 4 : 8,
			indentWithTabs: el.dataset.kind !== 'PYTHON',
			matchBrackets: true,
			readOnly: readOnly ? 'nocursor' : false,
			viewportMargin: Infinity
		});
		// Keep the textarea current for forms and tests that read it.
		cm.on('change', () => cm.save());
		el.classList.add('cm-ready');
		setTimeout(() => cm.refresh(), 0);
		return api;
	});
	return api;
}
