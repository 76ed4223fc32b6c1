// tests/bench/ui.mjs -- the browser UI's budget (issue: under 150 KB of
// gzipped JavaScript + CSS for the lookup page, under 300 ms from
// navigation to the first source card of a cached lookup).
//
//   IOCAGG_TEST_URL=http://127.0.0.1:8080 IOCAGG_TEST_STATE=.devstack \
//       node tests/bench/ui.mjs [runs]
//
// Logs in as the stack's admin (IOCAGG_TEST_STATE/admin.password), or as
// IOCAGG_BENCH_EMAIL / IOCAGG_BENCH_PASSWORD.  Figures on stdout as
// "RESULT name value" lines (as tests/bench/runners.py), then a summary
// line starting with "#"; progress on stderr.
//   ui_js_css_gzip_bytes    JS + CSS of the lookup page on the wire (gzip),
//                           empty browser cache
//   ui_js_css_raw_bytes     the same, uncompressed
//   ui_js_css_requests      JS + CSS requests of the page
//   ui_first_card_cold_ms   navigation -> first source card of a cached
//                           lookup, empty browser cache (median)
//   ui_first_card_warm_ms   the same with the browser cache warm (median)
//   ui_done_warm_ms         navigation -> the lookup's "done" (median)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { env, needBrowser, launch } from '../browser/lib.mjs';

const E = env();
const runs = Math.max(1, parseInt(process.argv[2] || '7', 10));
if (!E.url) {
	console.error('ui.mjs: IOCAGG_TEST_URL is not set');
	process.exit(2);
}
await needBrowser(E, { stack: false });
const email = process.env.IOCAGG_BENCH_EMAIL || 'admin@localhost';
const password = process.env.IOCAGG_BENCH_PASSWORD ||
    readFileSync(path.join(E.state || '.devstack', 'admin.password'), 'utf8').trim();
const r = await fetch(E.url + '/api/v1/auth/login', { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
if (!r.ok) {
	console.error(`ui.mjs: login failed (${r.status})`);
	process.exit(1);
}
const jwt = (await r.json()).jwtToken;
const target = E.url + '/request?data=' + encodeURIComponent('bench-ui.example.com') + '&kind=DOMAIN';

const median = a => {
	const s = [...a].sort((x, y) => x - y);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// The first card and the end of the lookup, timed inside the page from
// its navigation start.
const probe = () => {
	window.__bench = {};
	new MutationObserver(() => {
		if (!window.__bench.first && document.querySelector('[data-testid=result-card]'))
			window.__bench.first = performance.now();
		const st = document.querySelector('[data-testid=lookup-status][data-state]');
		if (!window.__bench.done && st)
			window.__bench.done = performance.now();
	}).observe(document, { childList: true, subtree: true, attributes: true });
};

async function visit(page, weigh) {
	const assets = [];
	const onResponse = async res => {
		const type = res.request().resourceType();
		if (type !== 'script' && type !== 'stylesheet')
			return;
		assets.push(res);
	};
	if (weigh)
		page.on('response', onResponse);
	await page.goto(target);
	await page.waitForFunction(() => window.__bench && window.__bench.done, null, { timeout: 60000 });
	const t = await page.evaluate(() => window.__bench);
	page.off('response', onResponse);
	let gz = 0, raw = 0;
	for (const res of assets) {
		const s = await res.request().sizes();
		gz += s.responseBodySize;
		raw += (await res.body().catch(() => Buffer.alloc(0))).length;
	}
	return { first: t.first, done: t.done, gz, raw, n: assets.length };
}

const b = await launch({ width: 1280, height: 900 });
try {
	// Fill the sources' cache, then time fresh browsers and a warm one.
	await b.context.addInitScript(tok => localStorage.setItem('iocagg.jwt', tok), jwt);
	await b.context.addInitScript(probe);
	console.error('ui.mjs: warming the lookup cache');
	await visit(b.page, false);
	const cold = [], warm = [], done = [];
	let weight = null;
	for (let i = 0; i < runs; i++) {
		const ctx = await b.browser.newContext({ viewport: { width: 1280, height: 900 } });
		await ctx.addInitScript(tok => localStorage.setItem('iocagg.jwt', tok), jwt);
		await ctx.addInitScript(probe);
		const p = await ctx.newPage();
		const v = await visit(p, i === 0);
		if (i === 0)
			weight = v;
		cold.push(v.first);
		const w = await visit(p, false);
		warm.push(w.first);
		done.push(w.done);
		await ctx.close();
		console.error(`ui.mjs: run ${i + 1}/${runs}: first card ${v.first.toFixed(0)} ms cold, ` +
		    `${w.first.toFixed(0)} ms warm`);
	}
	const line = (k, v) => console.log(`RESULT ${k} ${Number.isInteger(v) ? v : v.toFixed(1)}`);
	line('ui_js_css_gzip_bytes', weight.gz);
	line('ui_js_css_raw_bytes', weight.raw);
	line('ui_js_css_requests', weight.n);
	line('ui_first_card_cold_ms', median(cold));
	line('ui_first_card_warm_ms', median(warm));
	line('ui_done_warm_ms', median(done));
	console.log(`# lookup page: ${(weight.gz / 1024).toFixed(1)} KB of JS+CSS gzipped ` +
	    `(budget 150 KB), first card ${median(cold).toFixed(0)} ms cold / ` +
	    `${median(warm).toFixed(0)} ms warm (budget 300 ms), ${runs} runs`);
} finally {
	await b.close();
}
