// tests/browser/t-ui-i18n.mjs -- every string of the UI in English and
// French: both languages have the same keys in each part, no text is
// empty, placeholders match, and every key the code names (literally,
// or as a family such as core.kind.<KIND>) is in the dictionaries.
// Also, for every module of the UI: it parses, and it never hands a
// string to the HTML parser.  Needs node only, no stack.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { tap, topSrcdir } from './lib.mjs';

const app = path.join(topSrcdir, 'htdocs', 'app');
const LANGS = ['en', 'fr'];
const PARTS = ['core', 'admin'];

function load(lang, part) {
	const f = path.join(app, 'i18n', lang, part + '.json');
	if (!existsSync(f))
		return null;
	try {
		return JSON.parse(readFileSync(f, 'utf8'));
	} catch (e) {
		return { __error: e.message };
	}
}

const dicts = {};
for (const part of PARTS) {
	for (const lang of LANGS) {
		const d = load(lang, part);
		tap.ok(d && !d.__error, `i18n/${lang}/${part}.json exists and is JSON`, d && d.__error);
		dicts[lang + '/' + part] = d && !d.__error ? d : {};
	}
}

const placeholders = s => [...String(s).matchAll(/\{(\w+)\}/g)].map(m => m[1]).sort().join(',');
for (const part of PARTS) {
	const en = dicts['en/' + part], fr = dicts['fr/' + part];
	const onlyEn = Object.keys(en).filter(k => !(k in fr));
	const onlyFr = Object.keys(fr).filter(k => !(k in en));
	tap.ok(!onlyEn.length, `${part}: every English key is in French`, onlyEn.join('\n'));
	tap.ok(!onlyFr.length, `${part}: every French key is in English`, onlyFr.join('\n'));
	const prefix = part === 'admin' ? 'admin.' : 'core.';
	const bad = Object.keys(en).concat(Object.keys(fr)).filter(k => !k.startsWith(prefix));
	tap.ok(!bad.length, `${part}: every key starts with "${prefix}"`, [...new Set(bad)].join('\n'));
	for (const lang of LANGS) {
		const d = dicts[lang + '/' + part];
		const empty = Object.entries(d).filter(([, v]) => typeof v !== 'string' || !v.trim())
		    .map(([k]) => k);
		tap.ok(!empty.length, `${lang}/${part}: no empty or non-text value`, empty.join('\n'));
	}
	const mism = Object.keys(en).filter(k => k in fr && placeholders(en[k]) !== placeholders(fr[k]));
	tap.ok(!mism.length, `${part}: the same {placeholders} in both languages`, mism.join('\n'));
}

// Keys named in the code.
function walk(d) {
	return readdirSync(d).flatMap(f => {
		const p = path.join(d, f);
		return statSync(p).isDirectory() ? walk(p) : p.endsWith('.js') ? [p] : [];
	});
}
const all = {};
for (const lang of LANGS)
	all[lang] = Object.assign({}, ...PARTS.map(p => dicts[lang + '/' + p]));
const used = new Map();
for (const f of walk(app)) {
	const src = readFileSync(f, 'utf8');
	// Any string literal shaped like a key (not a prefix ending in ".").
	for (const m of src.matchAll(/(['"`])((?:core|admin)\.[A-Za-z0-9_.-]*[A-Za-z0-9_-])\1/g))
		used.set(m[2], path.relative(topSrcdir, f));
}
tap.ok(used.size > 100, `the code names ${used.size} keys`);
for (const lang of LANGS) {
	const missing = [...used].filter(([k]) => !(k in all[lang])).map(([k, f]) => `${k} (${f})`);
	tap.ok(!missing.length, `${lang}: every key the code names is in the dictionaries`, missing.join('\n'));
}

// Keys built at run time: every member of each family.
const api = JSON.parse(readFileSync(path.join(topSrcdir, 'htdocs', 'api-docs', 'openapi.json'), 'utf8'));
const schemas = api.components.schemas;
const kinds = schemas.IndicatorKind.enum;
const errKinds = schemas.SourceError.properties.kind.enum;
const families = [
	['core.kind.', kinds], ['core.docs.kind.', kinds], ['core.srcerr.', errKinds],
	['core.verdict.', ['malicious', 'suspicious', 'benign', 'unknown']],
	['core.theme.', ['system', 'dark', 'light']], ['core.lang.', LANGS],
	['core.nav.section.', ['lookup', 'manage', 'admin', 'help']],
	['core.result.group.', ['pending', 'success', 'error', 'skipped']],
	['core.home.runner.status.', ['SERVING', 'NOT_SERVING', 'UNKNOWN', 'UNREACHABLE']]
];
for (const lang of LANGS) {
	const missing = families.flatMap(([p, vs]) => vs.map(v => p + v)).filter(k => !(k in all[lang]));
	tap.ok(!missing.length, `${lang}: every key of the run-time families (kinds, source errors, verdicts, ...)`,
	    missing.join('\n'));
}
// Every module parses (a syntax error would only show in the browser).
const broken = [];
for (const f of walk(app)) {
	try {
		execFileSync(process.execPath, ['--check', f], { stdio: 'pipe' });
	} catch (e) {
		broken.push(path.relative(topSrcdir, f) + ': ' + String(e.stderr).split('\n').slice(0, 5).join(' '));
	}
}
tap.ok(!broken.length, 'every module of htdocs/app parses', broken.join('\n'));

// Nothing goes through the HTML parser: text only via textContent.
const html = [];
for (const f of walk(app)) {
	readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
		if (/\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|\beval\(|new Function\(/.test(line))
			html.push(`${path.relative(topSrcdir, f)}:${i + 1}: ${line.trim()}`);
	});
}
tap.ok(!html.length, 'no module uses innerHTML, outerHTML, insertAdjacentHTML, document.write or eval', html.join('\n'));
tap.done();
