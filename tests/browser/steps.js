// What the browser tests share: TAP-like steps that count themselves, and the flags Chromium
// runs with (headless, nothing fetched from elsewhere).
'use strict';

const counts = { passed: 0, failed: 0 };

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Runs one step and prints `ok - name` or `not ok - name` with the reason; a failed step
// throws on, since later steps depend on it.
async function step(name, body) {
  try {
    await body();
    counts.passed += 1;
    console.log(`ok - ${name}`);
  } catch (error) {
    counts.failed += 1;
    console.log(`not ok - ${name}`);
    console.log(`  # ${String(error.message || error).split('\n').join('\n  # ')}`);
    throw error;
  }
}

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
];

module.exports = { check, step, counts, chromiumArgs };
