// tests/browser/screenshots.mjs -- docs/screenshots/{home,lookup,sources}.png
// from a running stack (tools/devstack screenshots).  Environment:
// IOCAGG_TEST_URL, IOCAGG_SHOT_EMAIL, IOCAGG_SHOT_PASSWORD,
// IOCAGG_SHOT_DIR.
import path from 'node:path';
import { env, needBrowser, launch, login, settled } from './lib.mjs';

const E = env();
await needBrowser(E, { stack: false });
const dir = process.env.IOCAGG_SHOT_DIR;
const b = await launch({ width: 1280, height: 860 });
const { page } = b;
const shot = async name => {
	await page.screenshot({ path: path.join(dir, name + '.png') });
	console.log('wrote ' + path.join(dir, name + '.png'));
};
try {
	await login(page, E.url, process.env.IOCAGG_SHOT_EMAIL, process.env.IOCAGG_SHOT_PASSWORD);
	// A lookup first, so that the home page has something to show.
	await page.goto(E.url + '/request?data=example.com&kind=DOMAIN');
	await page.waitForSelector('[data-testid=lookup-status][data-state]', { timeout: 60000 });
	await page.goto(E.url + '/request?data=example.com&kind=DOMAIN');
	await page.waitForSelector('[data-testid=lookup-status][data-state]', { timeout: 60000 });
	await page.evaluate(() => window.scrollTo(0, 0));
	await shot('lookup');
	await page.goto(E.url + '/');
	await settled(page);
	await page.waitForSelector('.charts canvas');
	await page.waitForTimeout(800);
	await shot('home');
	await page.goto(E.url + '/sources');
	await settled(page);
	await page.waitForTimeout(500);
	await shot('sources');
} finally {
	await b.close();
}
