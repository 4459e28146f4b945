// Opens the built API reference (`npm run docs`, written to docs/api) in a real headless Chromium and checks what a
// reader sees: the index, every package page and a class page render without console errors, and the search finds
// `promote`. Run with `npm run docs:test`; CI installs Debian's chromium (no browser download: playwright-core drives
// the executable at CHROMIUM_PATH, default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const site = join(root, 'docs', 'api');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const packages = readdirSync(join(root, 'packages')).filter((name) =>
  existsSync(join(root, 'packages', name, 'package.json')),
);
const contentTypes = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

let server;
let baseUrl;
let browser;

before(async () => {
  assert.ok(existsSync(join(site, 'index.html')), `no site at ${site}: run \`npm run docs\` first`);
  assert.ok(existsSync(executablePath), `no Chromium at ${executablePath}: apt-get install chromium`);
  server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(
      /^\/+/,
      '',
    );
    const file = join(site, path === '' ? 'index.html' : path);
    if (!file.startsWith(site) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
  // The flags keep a sandboxed CI machine's Chromium from reaching for the network or a GPU.
  browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve) ?? resolve());
});

/** Opens `path`, returns the page and every console error or uncaught exception it produced. */
async function open(path) {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  const response = await page.goto(`${baseUrl}/${path}`, { waitUntil: 'load' });
  assert.equal(response?.status(), 200, `${path} answered ${response?.status()}`);
  return { page, errors };
}

test('the index renders with every package in the navigation and no console error', async () => {
  const { page, errors } = await open('index.html');
  // The navigation tree is built in the browser from assets/navigation.js.
  await page.waitForFunction(
    (count) => document.querySelectorAll('.site-menu .tsd-navigation a[href*="modules/"]').length >= count,
    packages.length,
  );
  const navigation = (await page.locator('.site-menu .tsd-navigation').textContent()) ?? '';
  for (const name of packages)
    assert.ok(navigation.includes(`@gitops-kit/${name}`), `navigation lacks ${name}`);
  assert.deepEqual(errors, []);
  await page.close();
});

for (const name of packages) {
  test(`the @gitops-kit/${name} page shows its README and exports`, async () => {
    const { page, errors } = await open(`modules/_gitops-kit_${name}.html`);
    const heading = (await page.locator('h1').first().textContent()) ?? '';
    assert.ok(heading.includes(`@gitops-kit/${name}`), `heading was ${heading}`);
    // The package README is the module page's body: its own first heading is there.
    const readmeTitle = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8').match(
      /^# (.+)$/m,
    )?.[1];
    if (readmeTitle) assert.ok((await page.content()).includes(readmeTitle.replaceAll('`', '').slice(0, 20)));
    assert.ok((await page.locator('.tsd-member-summary-name').count()) > 0, 'no exports listed');
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('a class page renders its members and an example', async () => {
  const { page, errors } = await open('classes/_gitops-kit_argocd-client.ArgoCDClient.html');
  assert.match((await page.locator('h1').first().textContent()) ?? '', /ArgoCDClient/);
  assert.ok((await page.locator('.tsd-signature').count()) > 0, 'no signatures rendered');
  assert.ok((await page.locator('pre code').count()) > 0, 'no @example code block rendered');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the search finds promote', async () => {
  const { page, errors } = await open('index.html');
  await page.locator('#tsd-search-trigger').click();
  await page.locator('#tsd-search-input').fill('promote');
  const firstResult = page.locator('#tsd-search-results li').first();
  await firstResult.waitFor({ timeout: 10_000 });
  const results = (await page.locator('#tsd-search-results').textContent()) ?? '';
  assert.match(results, /\bpromote\b/);
  assert.deepEqual(errors, []);
  await page.close();
});
