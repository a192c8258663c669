// Browser tests of the built example site, in headless Chromium (playwright-core, no
// browser download: CHROMIUM names the installed browser).
//
//   SITE=/path/to/site CHROMIUM=/usr/bin/chromium node site.test.mjs
//
// Every page kind is opened from file:// and from an HTTP server under a base path;
// the tests check console errors, failed and outside requests, search, the execution
// tree, the theme toggle, the filters, pages without JavaScript, printing, headings,
// and axe-core's WCAG 2 A/AA rules in both themes. SHOTS=dir saves screenshots.

import { createServer } from 'node:http';
import { readFile, stat, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

const SITE = path.resolve(process.env.SITE || '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SHOTS || '';
if (!process.env.SITE) {
  console.error('SITE must name a built site (osx-report build ... --out SITE)');
  process.exit(2);
}

// The page kinds, by a page of the example site.
const PAGES = {
  home: 'index.html',
  sessions: 'sessions/index.html',
  filtered: 'sessions/filter/all/failed.html',
  session: 'sessions/ORCHSESSID-CSV-FAIL.html',
  'session-tree': 'sessions/ORCHSESSID-SHELL-1.html',
  'session-issues': 'sessions/ORCHSESSID-VV-1.html',
  schema: 'schema/index.html',
  table: 'schema/orchestration_session_exec.html',
  search: 'search.html?q=budget',
};

// A known execution: found by a word of its output, nested in a collapsed branch.
const KNOWN = {
  word: 'budget',
  title: 'run the test suite',
  page: 'sessions/ORCHSESSID-SHELL-1.html',
  anchor: 'exec-EXEC-SH-2-1',
};

// ---------- a static server under a base path ----------

const BASE = '/some/base/path/';
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.svg': 'image/svg+xml', '.json': 'application/json', '.md': 'text/markdown; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.xml': 'application/xml' };
const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (!url.pathname.startsWith(BASE)) {
    res.writeHead(404).end();
    return;
  }
  const rel = decodeURIComponent(url.pathname.slice(BASE.length)) || 'index.html';
  const file = path.join(SITE, rel);
  if (!file.startsWith(SITE + path.sep)) {
    res.writeHead(403).end();
    return;
  }
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    res.end(await readFile(file));
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const HTTP = `http://127.0.0.1:${server.address().port}${BASE}`;
const FILE = pathToFileURL(SITE).href + '/';

// ---------- the harness ----------

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

const results = [];
async function test(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}\n     ${String(e && e.stack || e).split('\n').join('\n     ')}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/* A page with its problems recorded: console errors and warnings, page errors, failed
   requests, HTTP errors, and requests that leave the site. */
async function open(url, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const problems = [];
  const origin = url.startsWith('http') ? new URL(url).origin : 'file://';
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure() && r.failure().errorText}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`request leaves the site: ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, context, problems };
}

async function shot(page, name) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

function clean(problems, what) {
  assert(problems.length === 0, `${what}:\n  ${problems.join('\n  ')}`);
}

// ---------- the tests ----------

for (const [scheme, base] of [['file://', FILE], [`http under ${BASE}`, HTTP]]) {
  await test(`every page kind loads cleanly from ${scheme}`, async () => {
    for (const [kind, rel] of Object.entries(PAGES)) {
      const { page, context, problems } = await open(base + rel);
      // what scripts add: the search box and the theme toggle are shown
      assert(await page.isVisible('.quick-search input'), `${kind}: no search box`);
      assert(await page.isVisible('.theme-toggle'), `${kind}: no theme toggle`);
      if (kind === 'search') {
        await page.waitForSelector('.search-page .hits li', { timeout: 5000 });
      }
      await page.waitForTimeout(50);
      clean(problems, `${kind} (${rel})`);
      if (scheme === 'file://') await shot(page, `${kind}-light`);
      await context.close();
    }
  });
}

await test('search finds a known execution by a word of its output and lands on its anchor', async () => {
  for (const base of [FILE, HTTP]) {
    const { page, context, problems } = await open(base + 'index.html');
    await page.fill('#quick-q', KNOWN.word);
    const hit = page.locator('#quick-panel .hit-link', { hasText: KNOWN.title });
    await hit.first().waitFor({ timeout: 5000 });
    await shot(page, 'quick-search');
    await hit.first().click();
    await page.waitForURL((u) => u.href.includes(KNOWN.page) && u.hash === '#' + KNOWN.anchor, { timeout: 5000 });
    const target = page.locator('#' + KNOWN.anchor);
    await target.waitFor({ state: 'visible' });
    // it sat in a collapsed branch: it and its ancestors are open now, and on screen
    const closed = await target.evaluate((el) => {
      const out = [];
      for (let p = el; p; p = p.parentElement) if (p.tagName === 'DETAILS' && !p.open) out.push(p.id);
      return out;
    });
    assert(closed.length === 0, `closed around the target: ${closed}`);
    const box = await target.boundingBox();
    assert(box && box.y >= 0 && box.y < 900, `target not in view: ${JSON.stringify(box)}`);
    clean(problems, base);
    await context.close();
  }
});

await test('the search page lists results, says how many, and pages through them', async () => {
  const { page, context, problems } = await open(FILE + 'search.html?q=' + KNOWN.word);
  await page.waitForSelector('.search-page .hits li');
  const status = await page.textContent('.search-page .search-status');
  assert(/1 result/.test(status), `status: ${status}`);
  const href = await page.getAttribute('.search-page .hit-link', 'href');
  assert(href.endsWith(KNOWN.page + '#' + KNOWN.anchor), `href ${href}`);
  // a query for nothing says so; words in any case; several words narrow
  await page.fill('#search-q', 'NoSuchWordAnywhere');
  await page.press('#search-q', 'Enter');
  await page.waitForFunction(() => /No results/.test(document.querySelector('.search-page .search-status').textContent));
  await page.fill('#search-q', 'ORCHSESSID-VV-1');
  await page.press('#search-q', 'Enter');
  await page.waitForSelector('.search-page .hit-link');
  const first = await page.textContent('.search-page .hit-link');
  assert(first === 'ORCHSESSID-VV-1', `first hit for a session id: ${first}`);
  // tables and columns: a column lands on its anchor
  await page.fill('#search-q', 'exec_status');
  await page.press('#search-q', 'Enter');
  await page.waitForSelector('.search-page .hit-link');
  const links = await page.$$eval('.search-page .hit-link', (as) => as.map((a) => a.getAttribute('href')));
  assert(links.some((h) => h.endsWith('schema/orchestration_session_exec.html#column-exec_status')), `column links: ${links}`);
  // issues
  await page.fill('#search-q', 'birth_date required');
  await page.press('#search-q', 'Enter');
  await page.waitForSelector('.search-page .hit-link');
  const issues = await page.$$eval('.search-page .hit-link', (as) => as.map((a) => a.getAttribute('href')));
  assert(issues.some((h) => /ORCHSESSID-VV-1\.html#issue-/.test(h)), `issue links: ${issues}`);
  await shot(page, 'search-issues');
  clean(problems, 'search page');
  await context.close();
});

await test('the search box works from the keyboard', async () => {
  const { page, context, problems } = await open(FILE + 'schema/index.html');
  await page.focus('#quick-q');
  await page.keyboard.type('patients');
  await page.waitForSelector('#quick-panel .hit-link');
  await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => document.activeElement.className);
  assert(focused === 'hit-link', `ArrowDown focuses the first hit, not ${focused}`);
  await page.keyboard.press('Escape');
  assert(await page.isHidden('#quick-panel'), 'Escape closes the results');
  await page.focus('#quick-q');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname.endsWith('/search.html') && u.search === '?q=patients');
  await page.waitForSelector('.search-page .hit-link');
  clean(problems, 'keyboard search');
  await context.close();
});

await test('a collapsed execution opens, by mouse and by keyboard; expand and collapse all', async () => {
  const { page, context, problems } = await open(FILE + 'sessions/ORCHSESSID-SHELL-1.html');
  const exec = page.locator('details#exec-EXEC-SH-1');
  assert(!(await exec.evaluate((d) => d.open)), 'starts collapsed (its branch passed)');
  assert(!(await page.isVisible('#exec-EXEC-SH-1 > .exec-body')), 'body hidden while collapsed');
  await page.click('#exec-EXEC-SH-1 > summary');
  assert(await exec.evaluate((d) => d.open), 'opens on click');
  assert(await page.isVisible('#exec-EXEC-SH-1 > .exec-body'), 'body shown');
  await page.focus('#exec-EXEC-SH-2 > summary');
  await page.keyboard.press('Enter');
  assert(await page.locator('#exec-EXEC-SH-2').evaluate((d) => d.open), 'opens with Enter');
  await page.click('.tree-tools button[data-tree="open"]');
  assert(await page.$$eval('details.exec', (ds) => ds.every((d) => d.open)), 'expand all');
  await page.click('.tree-tools button[data-tree="close"]');
  assert(await page.$$eval('details.exec', (ds) => ds.every((d) => !d.open)), 'collapse all');
  // a link to a nested execution opens the branches around it
  await page.goto(FILE + 'sessions/ORCHSESSID-SHELL-1.html#exec-EXEC-SH-2-1-1-1');
  await page.waitForFunction(() => document.getElementById('exec-EXEC-SH-2-1-1').open);
  assert(await page.isVisible('#exec-EXEC-SH-2-1-1-1 > summary'), 'nested target visible');
  clean(problems, 'execution tree');
  await context.close();
});

await test('failed executions are open and listed at the top', async () => {
  const { page, context, problems } = await open(FILE + PAGES.session);
  assert(await page.locator('#exec-EXEC-CF-2-2').evaluate((d) => d.open), 'the failure is open');
  assert(await page.isVisible('#exec-EXEC-CF-2-2 .error-block'), 'its error is visible');
  const failed = await page.$$eval('#failed-executions a', (as) => as.map((a) => a.getAttribute('href')));
  assert(failed.includes('#exec-EXEC-CF-2-2'), `failed list: ${failed}`);
  // status is never colour alone: the badge says it
  const badge = await page.textContent('#exec-EXEC-CF-2-2 > summary .badge');
  assert(/failed/.test(badge), `badge text: ${badge}`);
  clean(problems, 'failed session');
  await context.close();
});

await test('the theme toggle switches, is remembered, and works from the keyboard', async () => {
  const { page, context, problems } = await open(FILE + 'index.html', { colorScheme: 'light' });
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await bg();
  assert((await page.getAttribute('.theme-toggle', 'aria-pressed')) === 'false', 'not pressed in light');
  await page.click('.theme-toggle');
  assert((await page.getAttribute('html', 'data-theme')) === 'dark', 'dark after a click');
  assert((await page.getAttribute('.theme-toggle', 'aria-pressed')) === 'true', 'pressed in dark');
  const dark = await bg();
  assert(light !== dark, `background stays ${light}`);
  await shot(page, 'home-dark-toggled');
  // remembered on another page
  await page.goto(FILE + 'sessions/index.html');
  assert((await page.getAttribute('html', 'data-theme')) === 'dark', 'remembered');
  assert((await bg()) === dark, 'dark on the next page');
  // keyboard: Tab reaches the toggle, Space presses it
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.classList.contains('theme-toggle'));
  }
  assert(reached, 'Tab reaches the toggle');
  await page.keyboard.press('Space');
  assert((await page.getAttribute('html', 'data-theme')) === 'light', 'Space switches back');
  clean(problems, 'theme');
  await context.close();
  // with a dark system setting and nothing remembered, the site is dark
  const sys = await open(FILE + 'index.html', { colorScheme: 'dark' });
  assert((await sys.page.evaluate(() => getComputedStyle(document.body).backgroundColor)) === dark, 'follows the system');
  assert((await sys.page.getAttribute('.theme-toggle', 'aria-pressed')) === 'true', 'pressed under a dark system');
  await sys.context.close();
});

await test('filters list the sessions of a nature and a final state', async () => {
  const { page, context, problems } = await open(FILE + 'sessions/index.html');
  await page.click('nav.filters a.chip:has-text("failed")');
  await page.waitForURL(/filter\/all\/failed\.html$/);
  const states = await page.$$eval('table.sessions tbody .state', (s) => s.map((x) => x.textContent));
  assert(states.length > 0 && states.every((s) => s === 'failed'), `states: ${states}`);
  // each click loads another static page: wait for it before reading the table
  await page.click('nav.filters a.chip:has-text("any state")');
  await page.waitForURL(/sessions\/index\.html$/);
  await page.click('nav.filters a.chip:has-text("V&V")');
  await page.waitForURL(/filter\/V-V-[^/]+\/index\.html$/);
  const natures = await page.$$eval('table.sessions tbody tr td:nth-child(2)', (s) => s.map((x) => x.textContent));
  assert(natures.length === 2 && natures.every((n) => n === 'V&V'), `natures: ${natures}`);
  await page.click('nav.filters a.chip:has-text("completed")');
  await page.waitForURL(/filter\/V-V-[^/]+\/completed\.html$/);
  const both = await page.$$eval('table.sessions tbody tr', (rows) => rows.map((r) => r.textContent));
  assert(both.length === 1 && /ORCHSESSID-VV-1/.test(both[0]), `V&V completed: ${both}`);
  clean(problems, 'filters');
  await context.close();
});

await test('pages work without JavaScript', async () => {
  for (const [kind, rel] of Object.entries(PAGES)) {
    const { page, context, problems } = await open(FILE + rel, { javaScriptEnabled: false });
    assert(await page.isHidden('.quick-search'), `${kind}: the search box needs scripts and is hidden`);
    assert(await page.isVisible('main h1'), `${kind}: no heading`);
    if (kind === 'search') assert(await page.isVisible('noscript, .warning'), 'search page explains itself');
    if (kind === 'session-tree') {
      await page.click('#exec-EXEC-SH-1 > summary');
      assert(await page.locator('#exec-EXEC-SH-1').evaluate((d) => d.open), 'details open without scripts');
    }
    clean(problems, `${kind} without JavaScript`);
    await context.close();
  }
});

await test('a session prints as a report: navigation hidden, every execution open', async () => {
  const { page, context, problems } = await open(FILE + 'sessions/ORCHSESSID-SHELL-1.html');
  await page.emulateMedia({ media: 'print' });
  assert(await page.isHidden('.site-header'), 'header hidden in print');
  assert(await page.isHidden('nav.toc'), 'table of contents hidden in print');
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  assert(await page.$$eval('main details', (ds) => ds.every((d) => d.open)), 'all open for printing');
  assert(await page.isVisible('#exec-EXEC-SH-2-1-1-1 .exec-body'), 'deepest execution printed');
  await shot(page, 'session-print');
  await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
  assert(!(await page.locator('#exec-EXEC-SH-1').evaluate((d) => d.open)), 'closed again after printing');
  const pdf = await page.pdf({ format: 'A4' });
  assert(pdf.length > 10000, 'a PDF comes out');
  clean(problems, 'print');
  await context.close();
});

await test('headings are in order, landmarks and labels are there', async () => {
  for (const [kind, rel] of Object.entries(PAGES)) {
    const { page, context } = await open(FILE + rel);
    const report = await page.evaluate(() => {
      const out = [];
      const hs = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => +h.tagName[1]);
      if (hs.filter((h) => h === 1).length !== 1) out.push(`${hs.filter((h) => h === 1).length} h1`);
      if (hs[0] !== 1) out.push('first heading is not h1');
      for (let i = 1; i < hs.length; i++) if (hs[i] > hs[i - 1] + 1) out.push(`h${hs[i - 1]} then h${hs[i]}`);
      for (const sel of ['header', 'nav', 'main', 'footer']) if (!document.querySelector(sel)) out.push(`no <${sel}>`);
      for (const el of document.querySelectorAll('input, select, textarea')) {
        const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
        if (!named) out.push(`unlabelled ${el.outerHTML.slice(0, 80)}`);
      }
      return out;
    });
    assert(report.length === 0, `${kind}: ${report.join('; ')}`);
    await context.close();
  }
});

for (const scheme of ['light', 'dark']) {
  await test(`axe-core finds no WCAG 2 A/AA violations (${scheme} theme)`, async () => {
    const all = [];
    for (const [kind, rel] of Object.entries(PAGES)) {
      // axe is injected through the DevTools protocol, which the page's CSP does not see
      const { page, context } = await open(FILE + rel, { colorScheme: scheme });
      if (kind === 'search') await page.waitForSelector('.search-page .hits li');
      // open everything so hidden content is checked too
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      await page.evaluate(AXE);
      const r = await page.evaluate(() => window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
        rules: { 'region': { enabled: false } },
      }));
      for (const v of r.violations) {
        all.push(`${kind}: ${v.id} (${v.impact}) ${v.help}\n      ${v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\n').slice(1, 2).join('')).join('\n      ')}`);
      }
      if (scheme === 'dark') await shot(page, `${kind}-dark`);
      await context.close();
    }
    assert(all.length === 0, all.join('\n    '));
  });
}

await test('narrow screens: no page scrolls sideways', async () => {
  for (const [kind, rel] of Object.entries(PAGES)) {
    const { page, context } = await open(FILE + rel, { viewport: { width: 390, height: 800 } });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert(wide <= 1, `${kind}: ${wide}px wider than the screen`);
    if (kind === 'session' || kind === 'home') await shot(page, `${kind}-narrow`);
    await context.close();
  }
});

await browser.close();
server.close();
const failed = results.filter((r) => !r.ok);
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
