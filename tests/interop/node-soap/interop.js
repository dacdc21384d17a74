// dualgate interop client: node-soap (npm `soap`, exact version pinned in ../node/package.json).
//
// Runs the API-user lifecycle over SOAP 1.1 and SOAP 1.2 against a live dualgate.
// Known quirks of this client:
// - SOAP 1.2 only with `forceSoap12Headers: true` (it does not read the version from the
//   binding); it then sends `application/soap+xml; action="..."` and the 1.2 envelope.
// - The short form `client.Op()` binds to the LAST port of the WSDL, so every call names its
//   port: `client.ApiService.Secure_ApiService.Op` (1.1) / `...Secure_ApiService_Soap12.Op` (1.2).
// - Faults arrive as the HTTP client's error with the parsed fault in `err.root.Envelope.Body.Fault`
//   and the raw body in `err.response.data`; successful raw bodies are in `client.lastResponse`.
// - An empty ArrayOfApiUser comes back as `null`, one element as an object rather than an array.
// - Object keys are serialised in insertion order, so request fields are given in schema order.
'use strict';

const { nodeRequire, run } = require('../node/lifecycle');
const soap = nodeRequire('soap');

run({
  name: 'node-soap',
  banner: `node-soap (soap ${nodeRequire('soap/package.json').version})`,
  createClient: (wsdl, version) => soap.createClientAsync(wsdl, { forceSoap12Headers: version === '1.2' }),
  callOperation(client, port, op, args, [login, password], done) {
    client.setSecurity(new soap.BasicAuthSecurity(login, password));
    port[op](args, done);
  },
  rawBody: (client, err) => (err ? err.response && err.response.data : client.lastResponse),
});
