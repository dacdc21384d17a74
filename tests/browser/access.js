// The Access page in headless Chromium, as the product page describes it: the owner signs in,
// adds an API user (generated email accepted, a description, the password twice, Status left
// on Enabled, Save), finds it in the list, and that user's email (read from the page) and
// password then work on REST and SOAP; disabled through the page, its next call is refused.
// Reads DUALGATE_URL, DUALGATE_OWNER_LOGIN, DUALGATE_OWNER_PASSWORD and DUALGATE_ARTIFACTS
// (where screenshots go). Then the other tabs: the owner adds an account user with "Can manage
// account" on the Users tab, who signs in in a second browser and creates an API user; the owner
// takes the permission away and that user's next request gets the "needs permission" page; both
// changes are read on the Audit tab; each tab is checked at phone width.
// Prints `ok - ` / `not ok - ` lines; exits non-zero on a failure.
'use strict';

const { chromium } = require('playwright-core');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { check, step, counts, chromiumArgs } = require('./steps');

const base = process.env.DUALGATE_URL;
const owner = process.env.DUALGATE_OWNER_LOGIN;
const ownerPassword = process.env.DUALGATE_OWNER_PASSWORD;
const artifacts = process.env.DUALGATE_ARTIFACTS;
const apiPassword = 'Magento#2026shop';
const description = 'Magento shop';
const deputy = 'deputy@example.com';
const deputyPassword = 'Steady#Lantern-58';
const deputyApiUser = 'Deputy CRM';


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
  const foreignRequests = [];
  const consoleErrors = [];
  // Pages answered 403 on purpose: Chromium logs each as a failed load.
  const refusedOnPurpose = new Set();
  const browsers = [];
  // Each browser is a persistent context (how Playwright takes a user data dir of our
  // choosing) with a profile of its own, so with its own cookies.
  async function openBrowser() {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dualgate-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: [...chromiumArgs, '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 800 },
    });
    browsers.push({ context, profile });
    const opened = context.pages()[0] || (await context.newPage());
    opened.on('request', (request) => {
      if (!request.url().startsWith(base)) foreignRequests.push(request.url());
    });
    opened.on('console', (message) => {
      if (message.type() === 'error') {
        consoleErrors.push({ text: message.text(), url: message.location().url });
      }
    });
    return opened;
  }
  const page = await openBrowser();
  const tabs = page.getByRole('navigation', { name: 'Access' });

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

    await step('the Users tab adds an account user with "Can manage account"', async () => {
      await tabs.getByRole('link', { name: 'Users', exact: true }).click();
      await page.waitForURL(`${base}/settings/access/users`);
      await page.getByRole('link', { name: 'New user' }).click();
      await page.getByRole('heading', { name: 'New account user' }).waitFor();
      await page.getByLabel('Email address').fill(deputy);
      await page.getByLabel('Password', { exact: true }).fill(deputyPassword);
      await page.getByLabel('Confirm password').fill(deputyPassword);
      await page.getByLabel('Can manage account').check();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(`${base}/settings/access/users`);
      await page.getByRole('status').filter({ hasText: `${deputy} was added.` }).waitFor();
      const row = page.locator('table.users tbody tr').filter({ hasText: deputy });
      const cell = await row.locator('td[data-label="Can manage account"]').innerText();
      check(cell.trim() === 'Yes', `"Can manage account": ${cell}`);
      await screenshot(page, '10-users');
    });

    const second = await openBrowser();
    await step('signed in as that user in a second browser, they create an API user', async () => {
      await second.goto(`${base}/sign-in`);
      await second.getByLabel('Email address').fill(deputy);
      await second.getByLabel('Password').fill(deputyPassword);
      await second.getByRole('button', { name: 'Sign in' }).click();
      await second.waitForURL(`${base}/settings/access/api-users`);
      await second.getByRole('link', { name: 'New user' }).click();
      await second.getByLabel('Description').fill(deputyApiUser);
      await second.getByLabel('Password', { exact: true }).fill(apiPassword);
      await second.getByLabel('Confirm password').fill(apiPassword);
      await second.getByRole('button', { name: 'Save' }).click();
      await second.waitForURL(`${base}/settings/access/api-users`);
      await second.getByRole('status').filter({ hasText: 'was added' }).waitFor();
      const row = second.locator('table.users tbody tr').filter({ hasText: deputyApiUser });
      check((await row.count()) === 1, 'their API user is listed');
    });

    await step('the owner takes the permission; their next request gets the needs-permission page', async () => {
      await page.getByRole('link', { name: deputy }).click();
      await page.getByRole('heading', { name: 'Permission' }).waitFor();
      await page.getByLabel('Can manage account').uncheck();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(`${base}/settings/access/users`);
      await page.getByRole('status').filter({ hasText: `Changes to ${deputy} were saved.` }).waitFor();
      refusedOnPurpose.add(second.url());
      const response = await second.reload();
      check(response.status() === 403, `their next request answered ${response.status()}`);
      await second
        .getByRole('heading', { name: 'You need the “Can manage account” permission' })
        .waitFor();
      check((await second.getByText('ERROR_PERMISSION_DENIED').count()) === 1, 'the code is shown');
      await screenshot(second, '11-needs-permission');
    });

    await step('the Audit tab shows both changes, newest first, and filters them', async () => {
      await tabs.getByRole('link', { name: 'Audit' }).click();
      await page.waitForURL(`${base}/settings/access/audit`);
      const rows = page.locator('table.audit tbody tr');
      const cells = async (row) => {
        const text = async (label) =>
          (await row.locator(`td[data-label="${label}"]`).innerText()).trim();
        return {
          action: await text('Action'),
          target: await text('Target'),
          who: await text('Who'),
          protocol: await text('Protocol'),
          address: await text('Address'),
          changes: await text('Changes'),
        };
      };
      const updated = await cells(rows.nth(0));
      check(updated.action === 'AccountUserUpdated', `newest: ${JSON.stringify(updated)}`);
      check(updated.target === deputy && updated.who === owner, JSON.stringify(updated));
      check(updated.protocol === 'Web' && updated.address === '127.0.0.1', JSON.stringify(updated));
      check(updated.changes === 'canManageAccount → false', `changes: ${updated.changes}`);
      const created = await cells(rows.nth(1));
      check(created.action === 'ApiUserCreated' && created.who === deputy, JSON.stringify(created));
      check(created.changes.includes(`description → ${deputyApiUser}`), created.changes);
      await screenshot(page, '12-audit');
      await page.getByLabel('Target login').fill(deputy);
      await page.getByLabel('Action').selectOption('AccountUserUpdated');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/\/settings\/access\/audit\?target=/);
      check((await rows.count()) === 1, `${await rows.count()} rows match the filter`);
      check((await cells(rows.nth(0))).action === 'AccountUserUpdated', 'the filtered row');
      await screenshot(page, '13-audit-filtered');
    });

    await step('at phone width (390×844) each tab fits, its list one card per row', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const shots = [
        ['api-users', '09-phone-api-users'],
        ['users', '14-phone-users'],
        ['audit', '15-phone-audit'],
      ];
      for (const [tab, name] of shots) {
        await page.goto(`${base}/settings/access/${tab}`);
        const header = page.locator('table.users thead');
        check(!(await header.isVisible()), `${tab}: the table header is hidden at phone width`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        check(width <= 390, `${tab}: no sideways scrolling: the page is ${width}px wide`);
        await screenshot(page, name);
      }
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
      const unexpected = consoleErrors.filter(
        ({ text, url }) => !(text.includes('status of 403') && refusedOnPurpose.has(url)),
      );
      check(unexpected.length === 0, `console errors: ${unexpected.map((e) => e.text).join(' | ')}`);
    });
  } catch {
    // The failing step has reported itself; later steps depend on it.
  } finally {
    for (const { context, profile } of browsers) {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  }
  console.log(`browser: ${counts.passed} passed, ${counts.failed} failed`);
  process.exitCode = counts.failed === 0 && counts.passed > 0 ? 0 : 1;
}

main().catch((error) => {
  console.log(`not ok - the browser could not run: ${error.message}`);
  process.exitCode = 1;
});
