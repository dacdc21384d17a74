// The Access page in headless Chromium, as the product page describes it: the owner signs in,
// adds an API user (generated email accepted, a description, the password twice, Status left
// on Enabled, Save), finds it in the list, and that user's email (read from the page) and
// password then work on REST and SOAP; disabled through the page, its next call is refused.
// Reads DUALGATE_URL, DUALGATE_OWNER_LOGIN, DUALGATE_OWNER_PASSWORD and DUALGATE_ARTIFACTS
// (where screenshots go). Prints `ok - ` / `not ok - ` lines; exits non-zero on a failure.
'use strict';

const { chromium } = require('playwright-core');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const base = process.env.DUALGATE_URL;
const owner = process.env.DUALGATE_OWNER_LOGIN;
const ownerPassword = process.env.DUALGATE_OWNER_PASSWORD;
const artifacts = process.env.DUALGATE_ARTIFACTS;
const apiPassword = 'Magento#2026shop';
const description = 'Magento shop';

let passed = 0;
let failed = 0;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function step(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${name}`);
    console.log(`  # ${String(error.message || error).split('\n').join('\n  # ')}`);
    throw error;
  }
}

async function screenshot(page, name) {
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  # screenshot: ${file}`);
}

function basic(login, password) {
  return 'Basic ' + Buffer.from(`${login}:${password}`).toString('base64');
}

async function restAccountInfo(endpoint, login, password) {
  const response = await fetch(`${endpoint}account-info`, {
    headers: { Authorization: basic(login, password), Accept: 'application/json' },
  });
  return { status: response.status, body: await response.text() };
}

async function soapServerTime(login, password) {
  const envelope =
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
    '<soap:Body><GetServerTime xmlns="http://apiconnector.com/v2"/></soap:Body>' +
    '</soap:Envelope>';
  const response = await fetch(`${base}/v2/Api.svc`, {
    method: 'POST',
    headers: {
      Authorization: basic(login, password),
      'Content-Type': 'text/xml; charset=utf-8',
      SOAPAction: '"http://apiconnector.com/v2/ApiService/GetServerTime"',
    },
    body: envelope,
  });
  return { status: response.status, body: await response.text() };
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dualgate-chromium-'));
  // A persistent context is how Playwright takes a user data dir of our choosing.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] || (await context.newPage());
  const foreignRequests = [];
  const consoleErrors = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(base)) foreignRequests.push(request.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });

  let email = '';
  let endpoint = '';
  try {
    await step('/ leads a signed-out visitor to the sign-in page', async () => {
      await page.goto(`${base}/`);
      check(new URL(page.url()).pathname === '/sign-in', `landed on ${page.url()}`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await screenshot(page, '01-sign-in');
    });

    await step('the owner signs in', async () => {
      await page.getByLabel('Email address').fill(owner);
      await page.getByLabel('Password').fill(ownerPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/settings/access/api-users`);
    });

    await step('Settings at the bottom of the sidebar opens a menu; Access opens the Access page', async () => {
      // The icon is a `summary`: Chromium announces it as a button, expanded or collapsed.
      const settings = page.getByRole('navigation', { name: 'Main' }).getByTitle('Settings');
      const menu = page.getByRole('list', { name: 'Settings' });
      const expanded = () => settings.evaluate((summary) => summary.parentElement.open);
      check(!(await menu.isVisible()) && !(await expanded()), 'the menu starts closed');
      await settings.click();
      await menu.waitFor();
      check(await expanded(), 'the menu is expanded');
      await screenshot(page, '02-settings-menu');
      await menu.getByRole('link', { name: 'Access' }).click();
      await page.getByRole('heading', { name: 'Access', level: 1 }).waitFor();
    });

    await step('the API users tab shows the endpoints to connect an integration', async () => {
      const tabs = page.getByRole('navigation', { name: 'Access' });
      await tabs.getByRole('link', { name: 'API users' }).click();
      await page.waitForURL(`${base}/settings/access/api-users`);
      const current = await tabs.locator('[aria-current="page"]').innerText();
      check(current.trim() === 'API users', `current tab: ${current}`);
      endpoint = (await page.locator('#api-endpoint').innerText()).trim();
      const wsdl = (await page.locator('#wsdl-address').innerText()).trim();
      check(endpoint === `${base}/v2/`, `endpoint shown: ${endpoint}`);
      check(wsdl === `${base}/v2/Api.svc?wsdl`, `WSDL shown: ${wsdl}`);
      await screenshot(page, '03-api-users-empty');
    });

    await step('New user offers a generated email with Status on Enabled', async () => {
      await page.getByRole('link', { name: 'New user' }).click();
      await page.getByRole('heading', { name: 'New API user' }).waitFor();
      email = await page.getByLabel('Email address').inputValue();
      check(/^apiuser-[0-9a-f]{12}@apiconnector\.com$/.test(email), `offered ${email}`);
      check(await page.getByLabel('Enabled').isChecked(), 'Enabled is selected');
      await screenshot(page, '04-new-user');
    });

    await step('Save adds the user to the list', async () => {
      await page.getByLabel('Description').fill(description);
      await page.getByLabel('Password', { exact: true }).fill(apiPassword);
      await page.getByLabel('Confirm password').fill(apiPassword);
      await screenshot(page, '05-new-user-filled');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(`${base}/settings/access/api-users`);
      await page.getByRole('status').filter({ hasText: 'was added' }).waitFor();
      const row = page.locator('table.users tbody tr').filter({ hasText: description });
      check((await row.count()) === 1, 'one row with the description');
      const listed = (await row.locator('td.email').innerText()).trim();
      check(listed === email, `listed ${listed}, generated ${email}`);
      check((await row.innerText()).includes('Enabled'), 'listed as Enabled');
      email = listed;
      await screenshot(page, '06-api-users-list');
    });

    await step('the new API user calls REST account-info with the email from the page', async () => {
      const reply = await restAccountInfo(endpoint, email, apiPassword);
      check(reply.status === 200, `REST ${reply.status}: ${reply.body}`);
      check(JSON.parse(reply.body).properties.some((p) => p.name === 'ApiEndpoint'), reply.body);
    });

    await step('the new API user calls SOAP GetServerTime', async () => {
      const reply = await soapServerTime(email, apiPassword);
      check(reply.status === 200, `SOAP ${reply.status}: ${reply.body}`);
      check(reply.body.includes('GetServerTimeResult'), reply.body);
    });

    await step('editing the user to Disabled shows it Disabled in the list', async () => {
      await page.getByRole('link', { name: email }).click();
      await page.getByRole('heading', { name: 'Details' }).waitFor();
      await page.getByLabel('Disabled').check();
      await screenshot(page, '07-edit-disabled');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(`${base}/settings/access/api-users`);
      await page.getByRole('status').filter({ hasText: 'were saved' }).waitFor();
      const row = page.locator('table.users tbody tr').filter({ hasText: email });
      check((await row.innerText()).includes('Disabled'), 'listed as Disabled');
      await screenshot(page, '08-api-users-disabled');
    });

    await step('the disabled user is refused with 401 ERROR_INVALID_LOGIN', async () => {
      const rest = await restAccountInfo(endpoint, email, apiPassword);
      check(rest.status === 401, `REST ${rest.status}`);
      check(JSON.parse(rest.body).message.endsWith('ERROR_INVALID_LOGIN'), rest.body);
      const soap = await soapServerTime(email, apiPassword);
      check(soap.status === 401 && soap.body.includes('ERROR_INVALID_LOGIN'), `SOAP ${soap.status}`);
    });

    await step('at phone width (390×844) the list is one card per user', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${base}/settings/access/api-users`);
      const header = page.locator('table.users thead');
      check(!(await header.isVisible()), 'the table header is hidden at phone width');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      check(width <= 390, `no sideways scrolling: the page is ${width}px wide`);
      await screenshot(page, '09-phone-api-users');
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    await step('sign out ends the session', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You are signed out.').waitFor();
      await page.goto(`${base}/settings/access/api-users`);
      check(new URL(page.url()).pathname === '/sign-in', `after sign-out: ${page.url()}`);
      await screenshot(page, '99-signed-out');
    });

    await step('nothing was fetched from elsewhere and no console error (CSP) occurred', async () => {
      check(foreignRequests.length === 0, `foreign requests: ${foreignRequests.join(', ')}`);
      check(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    });
  } catch {
    // The failing step has reported itself; later steps depend on it.
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

main().catch((error) => {
  console.log(`not ok - the browser could not run: ${error.message}`);
  process.exitCode = 1;
});
