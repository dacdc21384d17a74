#!/usr/bin/env python3
"""wsdl-quality: checks that the WSDL dualgate serves (and the SOAP responses the interop
clients recorded) follow the standards real SOAP stacks rely on.

Uses xmlschema 4.3.2 and the official schemas it ships in xmlschema/schemas/WSDL/:
  wsdl.xsd           WSDL 1.1 (http://schemas.xmlsoap.org/wsdl/, the 2005 WS-I revision)
  wsdl-soap.xsd      WSDL SOAP 1.1 binding (http://schemas.xmlsoap.org/wsdl/soap/)
  soap-envelope.xsd  SOAP 1.1 envelope (http://schemas.xmlsoap.org/soap/envelope/)
xmlschema ships no SOAP 1.2 envelope schema: soap12-envelope.xsd next to this file is the W3C one
(http://www.w3.org/2003/05/soap-envelope/, rev 1.2 2006-12-20, W3C Software License), unchanged.
xmlschema ships no WSDL SOAP 1.2 binding schema (http://schemas.xmlsoap.org/wsdl/soap12/) either:
soap12: elements are checked by SOAP12_RULES below, transcribed from that schema.

Environment: DUALGATE_URL, DUALGATE_WSDL, DUALGATE_RECORD_DIR (see ../lib.sh);
DUALGATE_WSDL_FILE reads the WSDL from a file instead (the ?wsdl=soap11 / ?singleWsdl checks are
then skipped); DUALGATE_REQUIRE_RECORDINGS=1 fails when no recorded response exists.
Prints `ok - ...` / `not ok - ...: detail` per check and exits 1 if any check failed.
"""
import os
import re
import sys
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import xmlschema
from lxml import etree
from xmlschema.locations import SCHEMAS_DIR

WSDL = 'http://schemas.xmlsoap.org/wsdl/'
SOAP = 'http://schemas.xmlsoap.org/wsdl/soap/'
SOAP12 = 'http://schemas.xmlsoap.org/wsdl/soap12/'
HTTPB = 'http://schemas.xmlsoap.org/wsdl/http/'
XS = 'http://www.w3.org/2001/XMLSchema'
ENV11 = 'http://schemas.xmlsoap.org/soap/envelope/'
ENV12 = 'http://www.w3.org/2003/05/soap-envelope'
SOAPENC = ('http://schemas.xmlsoap.org/soap/encoding/', 'http://www.w3.org/2003/05/soap-encoding')
V2 = 'http://apiconnector.com/v2'
ACTION = V2 + '/ApiService/'
TRANSPORT = 'http://schemas.xmlsoap.org/soap/http'
FULL_PORTS = [('Secure_ApiService', SOAP), ('Secure_ApiService_Soap12', SOAP12)]
QNAME_ATTRS = {'type', 'element', 'base', 'ref', 'message', 'binding', 'itemType', 'substitutionGroup'}

# Where each binding extension element may appear, for soap: and soap12: alike.
PLACES = {'binding': 'binding', 'operation': 'binding/operation', 'body': 'operation/input|output',
          'header': 'operation/input|output', 'headerfault': 'header', 'fault': 'operation/fault',
          'address': 'port'}
# The WSDL SOAP 1.2 binding schema as rules: element -> (required attributes, optional ones).
ENUMS = {'style': {'document', 'rpc'}, 'use': {'literal', 'encoded'},
         'soapActionRequired': {'true', 'false', '1', '0'}}
SOAP12_RULES = {
    'binding': ({'transport'}, {'style'}),
    'operation': (set(), {'soapAction', 'soapActionRequired', 'style'}),
    'body': (set(), {'parts', 'encodingStyle', 'use', 'namespace'}),
    'header': ({'message', 'part', 'use'}, {'encodingStyle', 'namespace'}),
    'headerfault': ({'message', 'part', 'use'}, {'encodingStyle', 'namespace'}),
    'fault': ({'name'}, {'encodingStyle', 'use', 'namespace'}),
    'address': ({'location'}, set()),
}

HERE = Path(__file__).resolve().parent
WSDL_XSD = xmlschema.XMLSchema10([str(SCHEMAS_DIR / 'WSDL' / 'wsdl.xsd'),
                                  str(SCHEMAS_DIR / 'WSDL' / 'wsdl-soap.xsd')], allow='local')
ENVELOPE_XSD = {ENV11: str(SCHEMAS_DIR / 'WSDL' / 'soap-envelope.xsd'), ENV12: str(HERE / 'soap12-envelope.xsd')}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)

failed = 0


def report(ok, what, detail=''):
    global failed
    failed += not ok
    print(f'ok - {what}' if ok else f'not ok - {what}: {detail}')


def problems(what, errors, limit=3):
    """One check line from a list of problems (empty = ok)."""
    errors = [str(e) for e in errors]
    more = f' (+{len(errors) - limit} more)' if len(errors) > limit else ''
    report(not errors, what, '; '.join(errors[:limit]) + more)


def first_line(err):
    return ' '.join(str(getattr(err, 'reason', None) or getattr(err, 'message', None) or err).split())[:300] + \
        (f' at {err.path}' if getattr(err, 'path', None) else '')


def fetch(url):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxies, no auth
    with opener.open(url, timeout=20) as resp:
        return resp.read()


def fetch_or_report(url):
    try:
        return fetch(url)
    except Exception as err:
        report(False, f'GET {url}', str(err))
        return None


def qname(elem, value):
    """Resolve a QName-valued attribute in the element's scope: '{ns}local', or None if unbound."""
    prefix, _, local = value.strip().rpartition(':')
    ns = elem.nsmap.get(prefix or None)
    return f'{{{ns}}}{local}' if ns or not prefix else None


def w(path):
    return path.replace('w:', f'{{{WSDL}}}')


def soap_ns(binding):
    """Namespace of a wsdl:binding's SOAP extension (SOAP or SOAP12), or None."""
    kinds = [c.tag for c in binding if c.tag in (f'{{{SOAP}}}binding', f'{{{SOAP12}}}binding')]
    return etree.QName(kinds[0]).namespace if len(kinds) == 1 else None


def inline_schema(root, *more):
    """An XMLSchema built from every wsdl:types/xs:schema (they import each other) and `more`."""
    sources = [etree.tostring(s, encoding='unicode') for s in root.iterfind(w('w:types/') + f'{{{XS}}}schema')]
    return xmlschema.XMLSchema10([*more, *sources], allow='local')


def placed(elem):
    """Is a soap:/soap12: element where the binding schema means it to be?"""
    want, parent = PLACES.get(etree.QName(elem).localname), elem.getparent()
    if want is None or parent is None:
        return False
    *up, here = want.split('/')
    if etree.QName(parent).localname not in here.split('|'):
        return False
    return not up or etree.QName(parent.getparent()).localname == up[0]


def soap12_rule_errors(elem):
    name = etree.QName(elem).localname
    path = elem.getroottree().getpath(elem)
    if name not in SOAP12_RULES:
        return [f'{path}: no element soap12:{name}']
    required, optional = SOAP12_RULES[name]
    attrs = {k for k in elem.attrib if not k.startswith('{')}
    errs = [f'{path}: missing @{a}' for a in required - attrs]
    errs += [f'{path}: unknown @{a}' for a in attrs - required - optional]
    errs += [f'{path}: unknown attribute {a}' for a in elem.attrib if a.startswith('{') and a != f'{{{WSDL}}}required']
    errs += [f'{path}: @{a}="{elem.get(a)}" not one of {sorted(ENUMS[a])}'
             for a in attrs if a in ENUMS and elem.get(a) not in ENUMS[a]]
    if not placed(elem):
        errs.append(f'{path}: not allowed here')
    children = [c for c in elem if isinstance(c.tag, str)]
    if [c for c in children if not (name == 'header' and c.tag == f'{{{SOAP12}}}headerfault')] or \
            (elem.text or '').strip():
        errs.append(f'{path}: must be empty')
    return errs


def check_wsdl(label, root, base_url, ports):
    """The WSDL 1.1 + WS-I Basic Profile 1.1 document/literal checks; returns the inline schema."""
    tree = root.getroottree()
    path = tree.getpath
    problems(f'{label} is valid against the WSDL 1.1 schema (wsdl.xsd)',
             [first_line(e) for e in WSDL_XSD.iter_errors(tree)])
    soap_elems = list(root.iter(f'{{{SOAP}}}*'))
    problems(f'{label} soap: elements ({len(soap_elems)}) are valid against the WSDL SOAP 1.1 binding schema '
             f'(wsdl-soap.xsd)', [f'{path(e)}: {first_line(x)}' for e in soap_elems for x in WSDL_XSD.iter_errors(e)]
             + [f'{path(e)}: not allowed here' for e in soap_elems if not placed(e)])
    soap12_elems = list(root.iter(f'{{{SOAP12}}}*'))
    if soap12_elems:
        problems(f'{label} soap12: elements ({len(soap12_elems)}) follow the WSDL SOAP 1.2 binding schema rules',
                 [x for e in soap12_elems for x in soap12_rule_errors(e)])

    schemas = root.findall(w('w:types/') + f'{{{XS}}}schema')
    try:
        schema = inline_schema(root)
        namespaces = sorted(s.get('targetNamespace', '') for s in schemas)
        report(len(schemas) > 0, f'{label} inline xs:schema elements build as one XSD ({", ".join(namespaces)})',
               'no xs:schema in wsdl:types')
    except Exception as err:  # any XMLSchemaParseError / import failure
        schema = None
        report(False, f'{label} inline xs:schema elements build as one XSD', first_line(err))
    problems(f'{label} every inline schema has elementFormDefault="qualified"',
             [f'{s.get("targetNamespace")}: elementFormDefault={s.get("elementFormDefault")!r}' for s in schemas
              if s.get('elementFormDefault') != 'qualified'])

    messages = root.findall(w('w:message'))
    errs = []
    for m in messages:
        parts = m.findall(w('w:part'))
        if len(parts) != 1:
            errs.append(f'message {m.get("name")} has {len(parts)} parts')
        errs += [f'message {m.get("name")} part {p.get("name")} uses type=' for p in parts if p.get('type')]
        errs += [f'message {m.get("name")} part {p.get("name")} has no element=' for p in parts if not p.get('element')]
    problems(f'{label} every message ({len(messages)}) has exactly one part, with element= and no type=', errs)

    own = set(schema.maps.namespaces) - {XS, 'http://www.w3.org/XML/1998/namespace',
                                          'http://www.w3.org/2001/XMLSchema-instance'} if schema else set()
    errs = [] if schema else ['the inline schemas did not build']
    for p in root.iterfind(w('w:message/w:part[@element]')) if schema else []:
        q = qname(p, p.get('element'))
        if q is None or etree.QName(q).namespace not in own or q not in schema.maps.elements:
            errs.append(f'part element {p.get("element")} ({q}) is not a global element of the inline schemas')
    problems(f'{label} every wsdl:part/@element resolves to a global element in the inline schemas', errs)

    bindings = root.findall(w('w:binding'))
    bops = [(b, op, soap_ns(b)) for b in bindings for op in b.findall(w('w:operation'))]
    errs = []
    for b, op, ns in bops:
        styles = [e.get('style') for e in (b.find(f'{{{ns}}}binding'), op.find(f'{{{ns}}}operation'))
                  if e is not None and e.get('style')]
        if not styles or set(styles) != {'document'}:
            errs.append(f'{b.get("name")}/{op.get("name")}: style {styles or "not given"}')
    problems(f'{label} every binding operation is style="document"', errs)

    bodies = [e for ns in (SOAP, SOAP12) for k in ('body', 'header', 'headerfault', 'fault')
              for e in root.iter(f'{{{ns}}}{k}')]
    problems(f'{label} use="literal" (and no namespace=, WS-I R2716) on every soap body/header/fault',
             [f'{path(e)}: use={e.get("use")!r}' for e in bodies if e.get('use') != 'literal'] +
             [f'{path(e)}: namespace={e.get("namespace")!r}' for e in bodies if e.get('namespace') is not None])
    problems(f'{label} no encodingStyle attribute anywhere',
             [f'{path(e)}/@{a}' for e in root.iter() for a in e.attrib if etree.QName(a).localname == 'encodingStyle'])
    text = etree.tostring(root, encoding='unicode')
    problems(f'{label} no SOAP-encoding namespace (soapenc) referenced',
             [f'{ns} appears' for ns in SOAPENC if ns.rstrip('/') in text])
    problems(f'{label} no soapenc:Array / arrayType',
             [f'{path(e)}/@{a}={v!r}' for e in root.iter() for a, v in e.attrib.items()
              if etree.QName(a).localname == 'arrayType' or
              (a in QNAME_ATTRS and (qname(e, v) or '') in {f'{{{ns}}}Array' for ns in SOAPENC})])

    errs = []
    for b, op, ns in bops:
        sop = op.find(f'{{{ns}}}operation') if ns else None
        want = ACTION + op.get('name', '')
        if sop is None or sop.get('soapAction') != want:
            got = None if sop is None else sop.get('soapAction')
            errs.append(f'{b.get("name")}/{op.get("name")}: soapAction {got!r}, want {want!r}')
    problems(f'{label} every binding operation has soapAction {ACTION}<Op>', errs)

    port_types = root.findall(w('w:portType'))
    pt_ops = [op.get('name') for pt in port_types for op in pt.findall(w('w:operation'))]
    pt_names = {f'{{{root.get("targetNamespace")}}}{pt.get("name")}' for pt in port_types}
    errs = [f'{len(port_types)} portTypes'] if len(port_types) != 1 else []
    for b in bindings:
        names = [op.get('name') for op in b.findall(w('w:operation'))]
        if qname(b, b.get('type', '')) not in pt_names:
            errs.append(f'binding {b.get("name")} type {b.get("type")} is not a portType here')
        if set(names) != set(pt_ops):
            errs.append(f'binding {b.get("name")}: unbound {sorted(set(pt_ops) - set(names))}, '
                        f'not in portType {sorted(set(names) - set(pt_ops))}')
    problems(f'{label} every portType operation ({len(pt_ops)}) is bound in every binding ({len(bindings)}) '
             f'with matching names', errs)
    problems(f'{label} transport is {TRANSPORT} on every binding',
             [f'binding {b.get("name")}: {b.find(f"{{{soap_ns(b)}}}binding").get("transport")!r}' if soap_ns(b)
              else f'binding {b.get("name")}: no single soap:binding or soap12:binding' for b in bindings
              if not soap_ns(b) or b.find(f'{{{soap_ns(b)}}}binding').get('transport') != TRANSPORT])
    dups = [n for lst in [pt_ops] + [[op.get('name') for op in b.findall(w('w:operation'))] for b in bindings]
            for n, c in Counter(lst).items() if c > 1]
    problems(f'{label} operation names are unique (no overloading)', [f'{n} repeated' for n in dups])

    want = base_url + '/v2/Api.svc'
    addrs = [a for ns in (SOAP, SOAP12) for a in root.iterfind(w('w:service/w:port/') + f'{{{ns}}}address')]
    problems(f'{label} port addresses equal {want}',
             [f'{path(a)}: {a.get("location")!r}' for a in addrs if a.get('location') != want] +
             (['no soap address'] if not addrs else []))
    version = {SOAP: 'SOAP 1.1', SOAP12: 'SOAP 1.2'}
    by_name = {f'{{{root.get("targetNamespace")}}}{b.get("name")}': b for b in bindings}
    got = []
    for port in root.iterfind(w('w:service/w:port')):
        b = by_name.get(qname(port, port.get('binding', '')))
        addr = [etree.QName(c).namespace for c in port if etree.QName(c).localname == 'address']
        ok = b is not None and b.get('name') == port.get('name') and addr == [soap_ns(b)]
        got.append((port.get('name'), version.get(soap_ns(b)) if ok else
                    f'binding {port.get("binding")}, address namespaces {addr}'))
    want_ports = [(n, version[ns]) for n, ns in ports]
    problems(f'{label} ports are ' + ' then '.join(f'{n} ({v})' for n, v in want_ports)
             + ', each bound to the binding of its name', [f'got {got}'] if got != want_ports else [])
    problems(f'{label} no HTTP GET/POST bindings',
             [f'{path(e)}' for e in root.iter(f'{{{HTTPB}}}*')] +
             [f'binding {b.get("name")} is not a SOAP binding' for b in bindings if not soap_ns(b)])
    return schema


def normalized(elem):
    """Element tree as comparable data: QName-valued attributes resolved, whitespace ignored."""
    attrs = sorted((k, qname(elem, v) if k in QNAME_ATTRS else v) for k, v in elem.attrib.items())
    return (elem.tag, attrs, (elem.text or '').strip(),
            [normalized(c) for c in elem if isinstance(c.tag, str)])


def check_soap11_variant(label, full, root):
    bindings, ports = root.findall(w('w:binding')), root.findall(w('w:service/w:port'))
    problems(f'{label} has exactly one binding and one port, both SOAP 1.1',
             ([f'{len(bindings)} bindings'] if len(bindings) != 1 else []) +
             ([f'{len(ports)} ports'] if len(ports) != 1 else []) +
             [f'binding {b.get("name")} is not SOAP 1.1' for b in bindings if soap_ns(b) != SOAP] +
             [f'port {p.get("name")} has no soap:address' for p in ports if p.find(f'{{{SOAP}}}address') is None])
    uses = [f'xmlns:{p}' for e in root.iter() for p, ns in e.nsmap.items()
            if ns == SOAP12 and (e.getparent() is None or e.getparent().nsmap.get(p) != ns)]
    uses += [root.getroottree().getpath(e) for e in root.iter() if SOAP12 in (e.tag + ''.join(e.attrib))]
    uses += [f'{root.getroottree().getpath(e)}: value' for e in root.iter()
             if any(SOAP12 in v for v in e.attrib.values()) or SOAP12 in (e.text or '')]
    problems(f'{label} makes no use of the soap12 namespace', uses)
    parts = ('w:types', 'w:message', 'w:portType')
    problems(f'{label} has the same types, messages and portType as the full WSDL',
             [f'{p[2:]} differs' for p in parts
              if [normalized(e) for e in root.findall(w(p))] != [normalized(e) for e in full.findall(w(p))]])


def parse(data, what):
    try:
        return etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as err:
        report(False, f'{what} is well-formed XML', str(err))
        return None


RECORDING = re.compile(r'^(?P<client>.+)-(?P<version>soap1[12])-(?P<nn>\d+)-(?P<op>\w+)\.xml$')


def recording_errors(path, schema, envelope_schemas):
    """What is wrong with one recorded SOAP response (empty list = valid); is it a Fault?"""
    m = RECORDING.match(path.name)
    if not m:
        return ['name is not <client>-soap11|soap12-<nn>-<Operation>.xml'], False
    try:
        env = etree.parse(str(path), PARSER).getroot()
    except etree.XMLSyntaxError as err:
        return [f'not well-formed: {err}'], False
    want = ENV11 if m['version'] == 'soap11' else ENV12
    if env.tag != f'{{{want}}}Envelope':
        return [f'root is {env.tag}, want {{{want}}}Envelope'], False
    errs = [first_line(e) for e in envelope_schemas[want].iter_errors(env)]
    body = env.find(f'{{{want}}}Body')
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        return errs + [f'Body has {len(children)} child elements, want 1'], False
    child = children[0]
    scope = {k or '': v for k, v in child.nsmap.items()}  # prefixes declared above the child
    fault = child.tag == f'{{{want}}}Fault'
    if fault:
        errs += [f'Fault: {first_line(e)}' for e in envelope_schemas[want].iter_errors(child, namespaces=scope)]
    elif schema is None:
        errs.append('no inline schema to validate against')
    elif child.tag != f'{{{V2}}}{m["op"]}Response':
        errs.append(f'Body child is {child.tag}, want {{{V2}}}{m["op"]}Response')
    else:
        errs += [first_line(e) for e in schema.iter_errors(child, namespaces=scope)]
    return errs, fault


def check_recordings(record_dir, wsdl, required):
    files = sorted(Path(record_dir).glob('*.xml')) if record_dir and Path(record_dir).is_dir() else []
    if not files:
        where = record_dir or '$DUALGATE_RECORD_DIR (unset)'
        if required:
            report(False, 'recorded SOAP responses exist', f'none in {where} and DUALGATE_REQUIRE_RECORDINGS=1')
        else:
            print(f'ok - # SKIP recorded SOAP responses: none in {where}')
        return
    # The envelope schema (Body content is processContents="lax") is loaded together with the WSDL's
    # inline schemas, so the Body child is checked against its declaration in the same pass
    # (xmlschema's lax mode without declarations rejects any xsi:nil="true").
    schema = inline_schema(wsdl) if wsdl is not None else None
    envelope_schemas = {ns: inline_schema(wsdl, xsd) if wsdl is not None else xmlschema.XMLSchema10(xsd, allow='local')
                        for ns, xsd in ENVELOPE_XSD.items()}
    groups = defaultdict(list)
    for f in files:
        m = RECORDING.match(f.name)
        groups[f'{m["client"]} {m["version"]}' if m else 'misnamed'].append(f)
    for group, fs in sorted(groups.items()):
        results = {f.name: recording_errors(f, schema, envelope_schemas) for f in fs}
        faults = sum(fault for _, fault in results.values())
        problems(f'recorded responses {group}: {len(fs)} ({faults} faults) valid against the envelope schema and '
                 f'the WSDL schema', [f'{name}: {errs[0]}' for name, (errs, _) in results.items() if errs])


def main():
    base_url = os.environ.get('DUALGATE_URL', '').rstrip('/')
    local = os.environ.get('DUALGATE_WSDL_FILE')
    source = local or os.environ.get('DUALGATE_WSDL') or base_url + '/v2/Api.svc?wsdl'
    try:
        data = Path(local).read_bytes() if local else fetch(source)
        report(True, f'WSDL read from {source} ({len(data)} bytes, no credentials)')
    except Exception as err:
        report(False, f'WSDL read from {source}', str(err))
        return
    full = parse(data, 'WSDL')
    if full is None:
        return
    schema = check_wsdl('WSDL', full, base_url, FULL_PORTS)

    if local:
        print('ok - # SKIP ?wsdl=soap11 and ?singleWsdl: DUALGATE_WSDL_FILE is set')
    else:
        single = fetch_or_report(base_url + '/v2/Api.svc?singleWsdl')
        if single is not None:
            report(single == data, '?singleWsdl serves the same document as ?wsdl', 'documents differ')
        raw = fetch_or_report(base_url + '/v2/Api.svc?wsdl=soap11')
        variant = None if raw is None else parse(raw, '?wsdl=soap11')
        if variant is not None:
            check_wsdl('?wsdl=soap11', variant, base_url, FULL_PORTS[:1])
            check_soap11_variant('?wsdl=soap11', full, variant)

    check_recordings(os.environ.get('DUALGATE_RECORD_DIR'), full if schema else None,
                     os.environ.get('DUALGATE_REQUIRE_RECORDINGS') == '1')


if __name__ == '__main__':
    try:
        main()
    except Exception as err:  # a crash is a failure, never a silent pass
        report(False, 'wsdl-quality ran to the end', f'{type(err).__name__}: {err}')
    sys.exit(1 if failed else 0)
