#!/usr/bin/env python3
"""import_oracle.py: the test oracle of t0096-import.sh, written apart from
certbind's reader: python's own xml.etree, json and csv modules read the
exports, and the mapping of certbind(1) import is written again here.

  import_oracle.py check RESULT BEFORE EXPORT...
      every connector of the exports is in RESULT with the values the
      export carries; every other connector of BEFORE (/dev/null: none)
      is in RESULT with its values unchanged; nothing else is added.
  import_oracle.py bytes RESULT BEFORE EXPORT...
      RESULT and BEFORE are the same bytes once the exported fields of
      the exported connectors and the connectors added are taken out.
Exit status 0 when it holds, 1 (with a reason on stderr) when not.
"""
import csv
import io
import json
import re
import sys
import xml.etree.ElementTree as ET

PS = "{http://schemas.microsoft.com/powershell/2004/04}"
RECV = ["Fqdn", "TlsCertificateName", "AdvertiseClientSettings",
        "TransportRole", "AuthMechanism", "Bindings", "TlsDomainCapabilities"]
SEND = ["Fqdn", "TlsCertificateName", "CloudServicesMailEnabled",
        "TlsDomain", "TlsAuthLevel", "RequireTLS", "SmartHosts",
        "AddressSpaces", "SourceTransportServers", "Enabled"]
BOOLS = {"AdvertiseClientSettings", "CloudServicesMailEnabled",
         "RequireTLS", "Enabled"}
LISTS = {"Bindings", "TlsDomainCapabilities", "SmartHosts", "AddressSpaces",
         "SourceTransportServers"}


def decode(data):
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    return data.decode("utf-8")


def unx(s):
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)),
                  s or "")


def clixml(text):
    root = ET.fromstring(text)
    tns = {}
    out = []

    def types(obj):
        tn = obj.find(PS + "TN")
        if tn is not None:
            ts = [t.text for t in tn.findall(PS + "T")]
            tns[tn.get("RefId")] = ts
            return ts
        ref = obj.find(PS + "TNRef")
        return tns.get(ref.get("RefId"), []) if ref is not None else []

    def value(e):
        tag = e.tag[len(PS):]
        if tag == "Nil":
            return None
        if tag == "B":
            return e.text.strip().lower()
        if tag == "Obj":
            types(e)
            lst = e.find(PS + "LST")
            if lst is not None:
                items = [value(k) for k in lst]
                return ", ".join(i for i in items if i is not None)
            ts = e.find(PS + "ToString")
            return unx(ts.text) if ts is not None else None
        return unx(e.text)

    for obj in root.findall(PS + "Obj"):
        ts = types(obj)
        kind = None
        for t in ts:
            t = t.replace("Deserialized.", "", 1)
            if t.endswith("SystemConfiguration.ReceiveConnector"):
                kind = "receive"
            elif t.endswith("SystemConfiguration.SmtpSendConnectorConfig"):
                kind = "send"
        props = {}
        for bag in ("Props", "MS"):
            b = obj.find(PS + bag)
            if b is None:
                continue
            for e in b:
                props.setdefault(e.get("N"), ("v", value(e)))
        out.append((kind, props))
    return out


def jtext(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, list):
        parts = [jtext(x) for x in v]
        if any(p is None or p is SKIP for p in parts):
            return SKIP
        return ", ".join(parts)
    if isinstance(v, dict):
        if "CertificateSubject" in v:
            i = v.get("CertificateIssuer")
            return ("<I>%s<S>%s" % (i, v["CertificateSubject"]) if i
                    else "<S>" + v["CertificateSubject"])
        if "Port" in v:
            a = v["Address"]
            a = a if isinstance(a, str) else a["IPAddressToString"]
            return ("[%s]:%d" if ":" in a else "%s:%d") % (a, v["Port"])
        if "Cost" in v:
            return "%s:%s;%d" % (v["Type"], v["Address"], v["Cost"])
        if "IsIPAddress" in v:
            return v["Address"] if v["IsIPAddress"] else v["Domain"]
        if "Domain" in v:
            return v["Domain"]
        if "DistinguishedName" in v:
            return v["Name"]
    return SKIP


SKIP = object()


def kind_by(props):
    r = any(k in props for k in RECV if k not in SEND)
    s = any(k in props for k in SEND if k not in RECV)
    return "receive" if r and not s else "send" if s and not r else None


def jsonx(text):
    d = json.loads(text)
    out = []
    for o in d if isinstance(d, list) else [d]:
        props = {k: ("v", jtext(v)) for k, v in o.items()}
        props = {k: v for k, v in props.items() if v[1] is not SKIP}
        out.append((kind_by(props), props))
    return out


def csvx(text):
    kind = None
    if text.startswith("#TYPE"):
        first, text = text.split("\n", 1)
        kind = "receive" if first.strip().endswith("ReceiveConnector") \
            else "send"
    out = []
    for row in csv.DictReader(io.StringIO(text, newline="")):
        props = {}
        for k, v in row.items():
            if k in LISTS and re.match(r"^(System|Microsoft)\.", v):
                continue  # a list Export-Csv could not flatten
            props[k] = ("v", None if (v == "" and k in BOOLS) else v)
        out.append((kind or kind_by(props), props))
    return out


def read_export(path):
    data = open(path, "rb").read()
    text = decode(data).lstrip()
    if text.startswith("<"):
        objs = clixml(text)
    elif text[0] in "[{":
        objs = jsonx(text)
    else:
        objs = csvx(text)
    conns = {}
    for kind, props in objs:
        def get(k):
            return props[k][1] if k in props else None
        name = get("Name")
        server = get("Server") if kind == "receive" else None
        if kind == "receive" and not server and get("Identity") and \
                "\\" in get("Identity"):
            server = get("Identity").split("\\")[0]
        ident = server + "\\" + name if server else name
        fields = {}
        for f in RECV if kind == "receive" else SEND:
            if f not in props:
                continue
            v = props[f][1]
            if f in BOOLS:
                if v is None:
                    continue
                v = v.lower()
            fields[f] = "" if v is None else v
        conns[(kind, ident.lower())] = (ident, server, name, fields)
    return conns


def read_config(path):
    if path == "/dev/null":
        return {}
    root = ET.parse(path).getroot()
    out = {}
    for c in root:
        if c.tag not in ("ReceiveConnector", "SendConnector"):
            continue
        kind = "receive" if c.tag == "ReceiveConnector" else "send"
        server = c.findtext("Server") if kind == "receive" else None
        name = c.findtext("Name")
        ident = server + "\\" + name if server else name
        fields = {}
        for e in c:
            if e.tag in LISTS and len(e):
                fields[e.tag] = ", ".join(k.text or "" for k in e)
            elif e.tag in BOOLS:
                fields[e.tag] = {"1": "true", "0": "false"}.get(
                    e.text.strip().lower(), e.text.strip().lower())
            else:
                fields[e.tag] = e.text or ""
        out[(kind, ident.lower())] = fields
    return out


def fail(msg):
    sys.stderr.write("import_oracle: %s\n" % msg)
    sys.exit(1)


def exports(paths):
    conns = {}
    for p in paths:
        conns.update(read_export(p))
    return conns


def check(result, before, paths):
    want = exports(paths)
    got = read_config(result)
    old = read_config(before)
    for key, (ident, server, name, fields) in want.items():
        if key not in got:
            fail("%s missing from the result" % ident)
        for f, v in fields.items():
            if got[key].get(f) != v:
                fail("%s: %s is %r, the export says %r" %
                     (ident, f, got[key].get(f), v))
    for key, fields in old.items():
        if key in want:
            continue
        if got.get(key) != fields:
            fail("%s changed but is in no export" % (key,))
    extra = set(got) - set(old) - set(want)
    if extra:
        fail("connectors from nowhere: %r" % extra)


CONN = re.compile(r"(\s*)<(ReceiveConnector|SendConnector)>(.*?)</\2>", re.S)


def strip(text, want, added_ok):
    def one(m):
        body = m.group(3)
        kind = "receive" if m.group(2) == "ReceiveConnector" else "send"
        s = re.search(r"<Server>(.*?)</Server>", body)
        n = re.search(r"<Name>(.*?)</Name>", body)
        unesc = lambda t: t.replace("&lt;", "<").replace("&gt;", ">") \
            .replace("&amp;", "&")
        name = unesc(n.group(1))
        ident = unesc(s.group(1)) + "\\" + name if s else name
        key = (kind, ident.lower())
        if key in added_ok:
            return ""
        if key not in want:
            return m.group(0)
        for f in want[key][3]:
            body = re.sub(r"\s*<%s(\s[^>]*)?(/>|>.*?</%s>)" % (f, f), "",
                          body, flags=re.S)
        return "%s<%s>%s</%s>" % (m.group(1), m.group(2), body, m.group(2))
    return CONN.sub(one, text)


def same_bytes(result, before, paths):
    want = exports(paths)
    old = read_config(before)
    added = {k for k in want if k not in old}
    a = strip(open(result, encoding="utf-8").read(), want, added)
    b = strip(open(before, encoding="utf-8").read(), want, set())
    if a != b:
        import difflib
        sys.stderr.writelines(difflib.unified_diff(
            b.splitlines(True), a.splitlines(True), "before", "result"))
        fail("bytes outside the exported fields differ")


def main():
    if len(sys.argv) < 5 or sys.argv[1] not in ("check", "bytes"):
        sys.exit(__doc__)
    fn = check if sys.argv[1] == "check" else same_bytes
    fn(sys.argv[2], sys.argv[3], sys.argv[4:])


if __name__ == "__main__":
    main()
