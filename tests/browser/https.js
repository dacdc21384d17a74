// The Access page over HTTPS in headless Chromium: the sign-in page loads from the https
// address with a certificate Chromium accepts (its key given by DUALGATE_SPKI, base64 SHA-256
// of the SubjectPublicKeyInfo), the owner signs in, and the session cookie is `Secure` (with
// the `__Host-` prefix, which the browser enforces). Reads DUALGATE_URL (https),
// DUALGATE_OWNER_LOGIN, DUALGATE_OWNER_PASSWORD, DUALGATE_SPKI and DUALGATE_ARTIFACTS.
// Prints `ok - ` / `not ok - ` lines; exits non-zero on a failure.
'use strict';

const { chromium } = require('playwright-core');
const path = require('node:path');
const { check, step, counts, chromiumArgs } = require('./steps');

const base = process.env.DUALGATE_URL;

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...chromiumArgs, `--ignore-certificate-errors-spki-list=${process.env.DUALGATE_SPKI}`],
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await step('the sign-in page loads over HTTPS', async () => {
      check(base.startsWith('https://'), `DUALGATE_URL is ${base}`);
      const response = await page.goto(`${base}/`);
      check(page.url() === `${base}/sign-in`, `landed on ${page.url()}`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      const security = await response.securityDetails();
      check(security !== null, 'no TLS details: not served over TLS');
      console.log(`  # ${security.protocol}, issued by ${security.issuer}`);
      await page.screenshot({ path: path.join(process.env.DUALGATE_ARTIFACTS, 'https-sign-in.png') });
    });

    await step('the owner signs in and the session cookie is Secure', async () => {
      await page.getByLabel('Email address').fill(process.env.DUALGATE_OWNER_LOGIN);
      await page.getByLabel('Password').fill(process.env.DUALGATE_OWNER_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/settings/access/api-users`);
      const cookies = await context.cookies(base);
      const session = cookies.find((cookie) => cookie.name === '__Host-dualgate-session');
      check(session !== undefined, `cookies: ${cookies.map((c) => c.name).join(', ')}`);
      check(session.secure && session.httpOnly, `session cookie: ${JSON.stringify(session)}`);
      check(
        cookies.every((cookie) => cookie.secure),
        `a cookie without Secure: ${cookies.map((c) => `${c.name} ${c.secure}`).join(', ')}`,
      );
    });
  } catch {
    // The failing step has reported itself.
  } finally {
    await browser.close();
  }
  process.exitCode = counts.failed === 0 && counts.passed > 0 ? 0 : 1;
}

main().catch((error) => {
  console.log(`not ok - the browser could not run: ${error.message}`);
  process.exitCode = 1;
});
