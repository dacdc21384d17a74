// The API-user lifecycle shared by the Node interop clients (../node-soap, ../strong-soap).
//
// Each client's interop.js creates its client and says how to call an operation on a port and
// where its raw response body is; this module imports the WSDL through it, runs the lifecycle
// over SOAP 1.1 and SOAP 1.2, prints `ok` / `not ok` lines, records every raw response in
// $DUALGATE_RECORD_DIR and exits non-zero on any failure. The clients' quirks are described in
// their own interop.js.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

// Resolves the pinned client packages from this folder's node_modules (see package.json).
const nodeRequire = createRequire(path.join(__dirname, 'package.json'));

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set`);
  return process.env[k];
};
const URL_ = env('DUALGATE_URL');
const WSDL = env('DUALGATE_WSDL');
const OWNER = [env('DUALGATE_OWNER_LOGIN'), env('DUALGATE_OWNER_PASSWORD')];
const RECORD_DIR = env('DUALGATE_RECORD_DIR');

let failures = 0;
function check(what, cond, detail) {
  if (cond) console.log(`ok - ${what}`);
  else {
    failures++;
    console.log(`not ok - ${what}: ${String(detail).replace(/\s+/g, ' ')}`);
  }
}
const show = (v) => JSON.stringify(v);
const asList = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]);
const text = (v) => (v != null && typeof v === 'object' && '$value' in v ? v.$value : v);

// The error code is the last word of faultstring (1.1) / Reason/Text (1.2).
function faultOf(err) {
  const fault = err && err.root && err.root.Envelope && err.root.Envelope.Body && err.root.Envelope.Body.Fault;
  if (!fault) return null;
  const message = String(text(fault.faultstring != null ? fault.faultstring : fault.Reason && fault.Reason.Text));
  const kind = String(text(fault.faultcode != null ? fault.faultcode : fault.Code && fault.Code.Value));
  return { message, kind, code: message.trim().split(/\s+/).pop() };
}

// The lifecycle over one SOAP version ('1.1' or '1.2'), through the client described by
// `soapClient` (see `run`).
async function lifecycle(soapClient, version) {
  const { name } = soapClient;
  const tag = `SOAP ${version}`;
  const slug = version === '1.1' ? 'soap11' : 'soap12';
  const portName = version === '1.1' ? 'Secure_ApiService' : 'Secure_ApiService_Soap12';
  let seq = 0;

  // 1. import the WSDL from the served URL.
  const client = await soapClient.createClient(WSDL, version);
  const port = client.ApiService && client.ApiService[portName];
  check(`${tag}: WSDL imported, port ${portName} has the 10 operations`,
    port && ['GetCurrentAccountInfo', 'GetServerTime', 'GetApiUsers', 'GetApiUserById', 'CreateApiUser',
      'UpdateApiUser', 'SetApiUserPassword', 'UnlockApiUser', 'DeleteApiUser', 'GetAuditEvents'].every((op) => typeof port[op] === 'function'),
    `ports: ${show(Object.keys(client.ApiService || {}))}`);

  // One call on the named port with the given HTTP Basic credentials; records the raw response.
  function call(op, args, creds) {
    return new Promise((resolve, reject) => {
      soapClient.callOperation(client, port, op, args, creds, (err, result) => {
        const body = soapClient.rawBody(client, err);
        if (typeof body === 'string' && body.length) {
          seq++;
          fs.writeFileSync(path.join(RECORD_DIR, `${name}-${slug}-${String(seq).padStart(2, '0')}-${op}.xml`), body);
        }
        if (err) {
          err.message = `${op}: ${err.message}`;
          reject(err);
        } else resolve(result);
      });
    });
  }
  // Every expected fault here is the caller's error: 1.1 faultcode Client, 1.2 Code/Value Sender.
  const clientKind = version === '1.1' ? 'Client' : 'Sender';
  async function expectFault(what, code, op, args, creds) {
    what = `${what} (${clientKind} fault ${code})`;
    try {
      const r = await call(op, args, creds);
      check(what, false, `no fault, got ${show(r)}`);
    } catch (err) {
      const f = faultOf(err);
      check(what, f && f.code === code && f.kind.split(':').pop() === clientKind,
        f ? `fault ${f.kind}: ${f.message}` : `not a SOAP fault: ${err.message}`);
    }
  }

  const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const desc = `${name} ${tag} interop ${stamp}`;
  const oldPw = 'Interop-7kq!Zm2';
  const newPw = 'Interop-9xw#Qp4';

  // 2. as the owner.
  const created = (await call('CreateApiUser',
    { apiUser: { Description: desc, Status: 'Enabled', Password: oldPw, ConfirmPassword: oldPw } }, OWNER)).CreateApiUserResult;
  const id = Number(created && created.Id);
  const email = created && created.Email;
  check(`${tag}: CreateApiUser returns Id > 0`, Number.isInteger(id) && id > 0, show(created));
  check(`${tag}: CreateApiUser Email ends with @apiconnector.com`, typeof email === 'string' && email.endsWith('@apiconnector.com'), show(email));
  check(`${tag}: CreateApiUser Description echoed`, created.Description === desc, show(created.Description));
  check(`${tag}: CreateApiUser Status is Enabled`, created.Status === 'Enabled', show(created.Status));

  const one = asList((await call('GetApiUsers', { select: 1, skip: 0 }, OWNER)).GetApiUsersResult?.ApiUser);
  check(`${tag}: GetApiUsers select=1 skip=0 returns exactly one`, one.length === 1, `${one.length} users`);
  const all = asList((await call('GetApiUsers', { select: 1000, skip: 0 }, OWNER)).GetApiUsersResult?.ApiUser);
  check(`${tag}: GetApiUsers select=1000 skip=0 contains id ${id}`, all.some((u) => Number(u.Id) === id), `ids ${show(all.map((u) => u.Id))}`);
  const none = asList((await call('GetApiUsers', { select: 1000, skip: 1000000 }, OWNER)).GetApiUsersResult?.ApiUser);
  check(`${tag}: GetApiUsers skip past the end returns none`, none.length === 0, `${none.length} users`);

  const got = (await call('GetApiUserById', { id }, OWNER)).GetApiUserByIdResult;
  check(`${tag}: GetApiUserById returns the same Email and Description`,
    got && Number(got.Id) === id && got.Email === email && got.Description === desc, show(got));

  const desc2 = `${desc} (updated)`;
  const upd = (await call('UpdateApiUser', { id, apiUser: { Description: desc2, Status: 'Disabled' } }, OWNER)).UpdateApiUserResult;
  check(`${tag}: UpdateApiUser response shows new Description and Status Disabled`,
    upd && upd.Description === desc2 && upd.Status === 'Disabled', show(upd));
  const reread = (await call('GetApiUserById', { id }, OWNER)).GetApiUserByIdResult;
  check(`${tag}: GetApiUserById after update shows both changes`,
    reread && reread.Description === desc2 && reread.Status === 'Disabled', show(reread));
  const back = (await call('UpdateApiUser', { id, apiUser: { Status: 'Enabled' } }, OWNER)).UpdateApiUserResult;
  check(`${tag}: UpdateApiUser Status back to Enabled (Description kept)`,
    back && back.Status === 'Enabled' && back.Description === desc2, show(back));

  await call('SetApiUserPassword', { id, password: newPw, confirmPassword: newPw }, OWNER);
  check(`${tag}: SetApiUserPassword accepted`, true);

  // 3. as the API user, with its new password.
  const acct = (await call('GetCurrentAccountInfo', {}, [email, newPw])).GetCurrentAccountInfoResult;
  const props = asList(acct && acct.Properties && acct.Properties.ApiAccountProperty);
  const prop = (n) => props.find((p) => p.Name === n);
  check(`${tag}: GetCurrentAccountInfo as the API user returns Id`, acct && Number(acct.Id) > 0, show(acct));
  check(`${tag}: account property ApiEndpoint is ${URL_}/`, prop('ApiEndpoint') && prop('ApiEndpoint').Value === `${URL_}/`, show(prop('ApiEndpoint')));
  check(`${tag}: account property Name is present`, prop('Name') && typeof prop('Name').Value === 'string' && prop('Name').Value.length > 0, show(prop('Name')));

  const timeRes = (await call('GetServerTime', {}, [email, newPw])).GetServerTimeResult;
  const t = timeRes instanceof Date ? timeRes : new Date(timeRes);
  check(`${tag}: GetServerTime within 5 minutes of now`, !isNaN(t) && Math.abs(t - Date.now()) < 5 * 60 * 1000, show(timeRes));

  // 4. faults.
  await expectFault(`${tag}: old password is refused`, 'ERROR_INVALID_LOGIN', 'GetCurrentAccountInfo', {}, [email, oldPw]);
  await expectFault(`${tag}: GetApiUserById(999999999) is refused`, 'ERROR_APIUSER_NOT_FOUND', 'GetApiUserById', { id: 999999999 }, OWNER);

  // 5. delete, then it is gone.
  await call('DeleteApiUser', { id }, OWNER);
  check(`${tag}: DeleteApiUser accepted`, true);
  await expectFault(`${tag}: GetApiUserById after delete is refused`, 'ERROR_APIUSER_NOT_FOUND', 'GetApiUserById', { id }, OWNER);
}

// Runs the lifecycle over SOAP 1.1 then SOAP 1.2 and exits, 1 if any check failed. `soapClient`:
//   name                 the client's name, in the recorded file names and the descriptions
//   banner               what the first line says the client is: `# <banner> against <url>`
//   createClient(wsdl, version)   a Promise of a client built from the WSDL at `wsdl`, for SOAP
//                        `version` ('1.1' or '1.2'); its ports are in client.ApiService
//   callOperation(client, port, op, args, [login, password], done)   calls operation `op` on
//                        `port` with HTTP Basic credentials; `done(err, result)` as the client
//                        calls back
//   rawBody(client, err) the raw response body of the call that just ended (err: its error or null)
async function run(soapClient) {
  console.log(`# ${soapClient.banner} against ${URL_}`);
  for (const version of ['1.1', '1.2']) {
    try {
      await lifecycle(soapClient, version);
    } catch (err) {
      const f = faultOf(err);
      if (!f && err && err.stack) console.error(err.stack);
      const detail = f ? `${err.message}: fault ${f.kind}: ${f.message}` : String(err && err.message ? err.message : err);
      check(`SOAP ${version}: lifecycle completed`, false, detail);
    }
  }
  process.exit(failures ? 1 : 0);
}

module.exports = { nodeRequire, run };
