// dualgate interop client: strong-soap (npm `strong-soap`, exact version pinned in ../node/package.json;
// 5.0.10 is the newest release for Node 20, strong-soap 6 needs Node >= 22).
//
// Runs the API-user lifecycle over SOAP 1.1 and SOAP 1.2 against a live dualgate.
// Known quirks of this client:
// - It takes the SOAP version from the port's binding, so the port is named on every call:
//   `client.ApiService.Secure_ApiService.Op` (1.1) / `...Secure_ApiService_Soap12.Op` (1.2).
//   Over 1.2 it sends `application/soap+xml` with no `action=` parameter and no SOAPAction.
// - It sends `Connection: close` on every request but still reuses the socket, so every second
//   call fails unless the server answers `Connection: close` too (dualgate does).
// - It picks its fault descriptor by searching the body for the literal `<soap:Fault>` or `<Fault>`;
//   with dualgate's `<s:Fault>` the parser still finds Body/Fault and rejects with it, parsed in
//   `err.root.Envelope.Body.Fault` (1.2 Reason/Text as `{$value}`), raw in `err.body`.
// - Raw response bodies (success or fault) are in `client.lastResponse`.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');
const nodeRequire = createRequire(path.join(__dirname, '..', 'node', 'package.json'));
const soap = nodeRequire('strong-soap').soap;
const CLIENT_VERSION = nodeRequire('strong-soap/package.json').version;

const NAME = 'strong-soap';
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

async function lifecycle(version) {
  const tag = `SOAP ${version}`;
  const slug = version === '1.1' ? 'soap11' : 'soap12';
  const portName = version === '1.1' ? 'Secure_ApiService' : 'Secure_ApiService_Soap12';
  let seq = 0;

  // 1. import the WSDL from the served URL.
  const client = await new Promise((resolve, reject) =>
    soap.createClient(WSDL, {}, (err, c) => (err ? reject(err) : resolve(c))));
  const port = client.ApiService && client.ApiService[portName];
  check(`${tag}: WSDL imported, port ${portName} has the 9 operations`,
    port && ['GetCurrentAccountInfo', 'GetServerTime', 'GetApiUsers', 'GetApiUserById', 'CreateApiUser',
      'UpdateApiUser', 'SetApiUserPassword', 'UnlockApiUser', 'DeleteApiUser'].every((op) => typeof port[op] === 'function'),
    `ports: ${show(Object.keys(client.ApiService || {}))}`);

  // One call on the named port with the given HTTP Basic credentials; records the raw response.
  function call(op, args, creds) {
    client.setSecurity(new soap.BasicAuthSecurity(creds[0], creds[1]));
    return new Promise((resolve, reject) => {
      port[op](args, (err, result) => {
        const body = client.lastResponse;
        if (typeof body === 'string' && body.length) {
          seq++;
          fs.writeFileSync(path.join(RECORD_DIR, `${NAME}-${slug}-${String(seq).padStart(2, '0')}-${op}.xml`), body);
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
  const desc = `${NAME} ${tag} interop ${stamp}`;
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

(async () => {
  console.log(`# ${NAME} ${CLIENT_VERSION} against ${URL_}`);
  for (const version of ['1.1', '1.2']) {
    try {
      await lifecycle(version);
    } catch (err) {
      const f = faultOf(err);
      if (!f && err && err.stack) console.error(err.stack);
      const detail = f ? `${err.message}: fault ${f.kind}: ${f.message}` : String(err && err.message ? err.message : err);
      check(`SOAP ${version}: lifecycle completed`, false, detail);
    }
  }
  process.exit(failures ? 1 : 0);
})();
