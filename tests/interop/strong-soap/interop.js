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

const { nodeRequire, run } = require('../node/lifecycle');
const { soap } = nodeRequire('strong-soap');

run({
  name: 'strong-soap',
  banner: `strong-soap ${nodeRequire('strong-soap/package.json').version}`,
  createClient: (wsdl) => new Promise((resolve, reject) =>
    soap.createClient(wsdl, {}, (err, client) => (err ? reject(err) : resolve(client)))),
  callOperation(client, port, op, args, [login, password], done) {
    client.setSecurity(new soap.BasicAuthSecurity(login, password));
    port[op](args, done);
  },
  rawBody: (client) => client.lastResponse,
});
