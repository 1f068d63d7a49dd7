#!/usr/bin/env python3
"""mkexports.py: writes certs-test/exports/, what an Exchange admin gets from
`Get-ReceiveConnector | Export-Clixml`, `Get-SendConnector | Export-Clixml`,
`... | ConvertTo-Json` and `... | Export-Csv` (certbind(1) import), for the
Contoso test organisation of certs-test/connectors.xml.  The shapes follow
the published structure of Exchange's objects (doc/clixml.md; the type
names and property shapes as Exchange's exports show them); the data is
our own.

  receive-utf16.xml   Get-ReceiveConnector through remoting (Deserialized.
                      type names), UTF-16LE with a byte order mark (Windows
                      PowerShell 5.1): an update of MAILBOX01's Client
                      Frontend (Fqdn and TlsCertificateName as objects with
                      ToString, AuthMechanism a flags enum, Bindings and
                      TlsDomainCapabilities lists, Server an ADObjectId),
                      a new MAILBOX03 connector whose Server comes from its
                      Identity ("SERVER\\Name", a string) with a Nil
                      TlsCertificateName and a string Fqdn, and MAILBOX01's
                      Default Frontend exactly as the config has it
  receive-utf8.xml    the same document in UTF-8 without a byte order mark
  send-utf8bom.xml    Get-SendConnector in a local session (the live type
                      name SmtpSendConnectorConfig), UTF-8 with a byte
                      order mark: two send connectors (SmartHosts,
                      AddressSpaces, SourceTransportServers lists,
                      CloudServicesMailEnabled, TlsAuthLevel enum, Nil
                      TlsDomain, a <Ref> to an earlier object)
  receive.json        ConvertTo-Json of the receive connectors: an array,
                      UTF-16LE with a byte order mark; nested objects for
                      Fqdn, TlsCertificateName, Bindings and Server
  send.json           ConvertTo-Json of one send connector: a single
                      object, UTF-8 without a byte order mark
  receive.csv         Export-Csv with its #TYPE line (Windows PowerShell),
                      UTF-16LE with a byte order mark, every field quoted;
                      Bindings as Export-Csv writes a list it cannot
                      flatten (the type name): left alone by import
  send.csv            Export-Csv -NoTypeInformation of the send connectors
                      in PowerShell 7's style: UTF-8, quotes as needed
  hostile/            exports import must refuse, each with file and line:
    truncated.xml       receive-utf8.xml cut in the middle
    wrongroot.xml       a root other than <Objs>
    noname.xml          a receive connector without Name
    duplicate.xml       two connectors with one identity (case differs)
    odd.xml             receive-utf16.xml with one byte more
    lyingbom.xml        a UTF-16LE byte order mark on UTF-8 text
    doctype.xml         an entity declaration (billion laughs' first step)
    notconnector.xml    an Exchange certificate, not a connector
    control.xml         a Name holding a control character
    badbool.xml         RequireTLS "maybe"
    truncated.json      receive.json's text cut in the middle (UTF-8)
    badquote.csv        a field whose quote never closes
    ragged.csv          a row with more fields than the header
  The 50 MB export is made by the test (tests/cli/t0096-import.sh), not
  kept here.

Run from the top of the tree: python3 certs-test/mkexports.py.  The output
depends only on this script, so running it again changes nothing.
"""
import json
import os

TOP = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(TOP, "exports")
NS = "http://schemas.microsoft.com/powershell/2004/04"

T_RECV = "Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector"
T_SEND = "Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig"
ISSUER = "CN=Contoso Issuing CA 1, DC=contoso, DC=com"


def esc(s):
    """XML text as PowerShell writes it."""
    s = s.replace("_x", "_x005F_x")
    s = s.replace("\r", "_x000D_").replace("\n", "_x000A_")
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Clixml:
    """A tiny CLIXML writer: RefIds and TNRefs as PowerShell numbers them."""

    def __init__(self, deserialized):
        self.d = deserialized
        self.ref = 0
        self.tns = {}
        self.out = []

    def tn(self, types, ind):
        if self.d:
            types = ["Deserialized." + t for t in types]
        key = tuple(types)
        if key in self.tns:
            return '%s<TNRef RefId="%d" />\n' % (ind, self.tns[key])
        n = len(self.tns)
        self.tns[key] = n
        s = '%s<TN RefId="%d">\n' % (ind, n)
        for t in types:
            s += "%s  <T>%s</T>\n" % (ind, esc(t))
        return s + "%s</TN>\n" % ind

    def obj(self, name, types, tostring, ind, props=None, lst=None,
            enum=None):
        r = self.ref
        self.ref += 1
        n = ' N="%s"' % name if name is not None else ""
        s = '%s<Obj%s RefId="%d">\n' % (ind, n, r)
        s += self.tn(types, ind + "  ")
        if tostring is not None:
            s += "%s  <ToString>%s</ToString>\n" % (ind, esc(tostring))
        if enum is not None:
            s += "%s  <I32>%d</I32>\n" % (ind, enum)
        if lst is not None:
            if lst:
                s += "%s  <LST>\n" % ind
                for item in lst:
                    s += item(ind + "    ")
                s += "%s  </LST>\n" % ind
            else:
                s += "%s  <LST />\n" % ind
        if props:
            s += "%s  <Props>\n" % ind
            for p in props:
                s += p(ind + "    ")
            s += "%s  </Props>\n" % ind
        return s + "%s</Obj>\n" % ind


def S(name, v):
    return lambda ind: '%s<S N="%s">%s</S>\n' % (ind, name, esc(v))


def B(name, v):
    return lambda ind: '%s<B N="%s">%s</B>\n' % (ind, name,
                                                 "true" if v else "false")


def Nil(name):
    return lambda ind: '%s<Nil N="%s" />\n' % (ind, name)


def I32(name, v):
    return lambda ind: '%s<I32 N="%s">%d</I32>\n' % (ind, name, v)


def mvp(cx, name, elem, items, item_props=None):
    t = ["Microsoft.Exchange.Data.MultiValuedProperty`1[[Microsoft.Exchange."
         "Data.%s, Microsoft.Exchange.Data, Version=15.0.0.0, "
         "Culture=neutral, PublicKeyToken=31bf3856ad364e35]]" % elem,
         "Microsoft.Exchange.Data.MultiValuedPropertyBase", "System.Object"]

    def it(v):
        return lambda ind: cx.obj(None, ["Microsoft.Exchange.Data." + elem,
                                         "System.Object"], v, ind,
                                  props=item_props(v) if item_props else None)

    return lambda ind: cx.obj(name, t, None, ind,
                              lst=[it(v) for v in items])


def fqdn(cx, name, v):
    return lambda ind: cx.obj(name, ["Microsoft.Exchange.Data.Fqdn",
                                     "Microsoft.Exchange.Data.SmtpDomain",
                                     "System.Object"], v, ind,
                              props=[S("Domain", v)])


def x509(cx, name, issuer, subject):
    return lambda ind: cx.obj(
        name, ["Microsoft.Exchange.Data.SmtpX509Identifier", "System.Object"],
        "<I>%s<S>%s" % (issuer, subject), ind,
        props=[S("CertificateSubject", subject),
               S("CertificateIssuer", issuer)])


def enum(cx, name, t, v, n):
    return lambda ind: cx.obj(name, [t, "System.Enum", "System.ValueType",
                                     "System.Object"], v, ind, enum=n)


def adobjectid(cx, name, v):
    return lambda ind: cx.obj(name, ["Microsoft.Exchange.Data.Directory."
                                     "ADObjectId",
                                     "Microsoft.Exchange.Data.ObjectId",
                                     "System.Object"], v, ind,
                              props=[S("Name", v.split("\\")[-1])])


def document(cx, objs):
    s = '<Objs Version="1.1.0.1" xmlns="%s">\n' % NS
    for o in objs:
        s += o("  ")
    return s + "</Objs>\n"


# The connectors, as python values (the test reads the exports itself).
RECEIVE = [
    {"Server": "MAILBOX01", "Name": "Client Frontend MAILBOX01",
     "Fqdn": "mail2.contoso.com",
     "TlsCertificateName": ("<I>" + ISSUER + "<S>CN=mail2.contoso.com"),
     "AdvertiseClientSettings": False,
     "AuthMechanism": "Tls, BasicAuth, BasicAuthRequireTLS",
     "TransportRole": "FrontendTransport",
     "Bindings": ["0.0.0.0:587", "[::]:587", "10.0.0.7:587"],
     "TlsDomainCapabilities": ["mail.protection.outlook.com:"
                               "AcceptCloudServicesMail"]},
    {"Server": None, "Identity": "MAILBOX03\\Relay & <Apps> MAILBOX03",
     "Name": "Relay & <Apps> MAILBOX03", "Fqdn": "relay.contoso.com",
     "TlsCertificateName": None, "AdvertiseClientSettings": True,
     "AuthMechanism": "Tls", "TransportRole": "FrontendTransport",
     "Bindings": ["0.0.0.0:2526"], "TlsDomainCapabilities": []},
    {"Server": "MAILBOX01", "Name": "Default Frontend MAILBOX01",
     "Fqdn": "mailbox01.contoso.com", "TlsCertificateName": None,
     "AdvertiseClientSettings": False,
     "AuthMechanism": "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, "
                      "ExchangeServer",
     "TransportRole": "FrontendTransport",
     "Bindings": ["0.0.0.0:25", "[::]:25"]},
]

SEND = [
    {"Name": "Outbound to Office 365", "Fqdn": "mail.contoso.com",
     "TlsCertificateName": "<I>" + ISSUER + "<S>CN=mail.contoso.com",
     "CloudServicesMailEnabled": True, "TlsDomain": None,
     "TlsAuthLevel": "DomainValidation", "RequireTLS": True,
     "SmartHosts": ["contoso-com.mail.protection.outlook.com"],
     "AddressSpaces": ["smtp:contoso.mail.onmicrosoft.com;1"],
     "SourceTransportServers": ["MAILBOX01", "MAILBOX02"], "Enabled": True},
    {"Name": "Internet", "Fqdn": "smtp.contoso.com",
     "TlsCertificateName": "", "CloudServicesMailEnabled": False,
     "TlsDomain": "contoso.com", "TlsAuthLevel": None, "RequireTLS": False,
     "SmartHosts": [], "AddressSpaces": ["SMTP:*;1"],
     "SourceTransportServers": ["MAILBOX01"], "Enabled": False},
]


def receive_obj(cx, c):
    p = []
    p.append(enum(cx, "AuthMechanism", "Microsoft.Exchange.Data.Directory."
                  "SystemConfiguration.AuthMechanisms", c["AuthMechanism"], 3))
    p.append(mvp(cx, "Bindings", "IPBinding", c["Bindings"]))
    p.append(B("AdvertiseClientSettings", c["AdvertiseClientSettings"]))
    if c["Server"] is None:
        p.append(S("Fqdn", c["Fqdn"]))  # a string, as some shells give
    else:
        p.append(fqdn(cx, "Fqdn", c["Fqdn"]))
    if c["TlsCertificateName"] is None:
        p.append(Nil("TlsCertificateName"))
    else:
        iss, subj = c["TlsCertificateName"][3:].split("<S>")
        p.append(x509(cx, "TlsCertificateName", iss, subj))
    p.append(B("Enabled", True))
    p.append(I32("MaxHopCount", 60))
    p.append(enum(cx, "TransportRole", "Microsoft.Exchange.Data.Directory."
                  "SystemConfiguration.ServerRole", c["TransportRole"], 16384))
    if "TlsDomainCapabilities" in c:
        p.append(mvp(cx, "TlsDomainCapabilities",
                     "SmtpReceiveDomainCapabilities",
                     c["TlsDomainCapabilities"]))
    if c["Server"] is not None:
        p.append(adobjectid(cx, "Server", c["Server"]))
        ident = c["Server"] + "\\" + c["Name"]
        p.append(adobjectid(cx, "Identity", ident))
    else:
        p.append(S("Identity", c["Identity"]))
    p.append(S("Name", c["Name"]))
    ident = (c["Server"] + "\\" + c["Name"]) if c["Server"] else c["Identity"]
    return lambda ind: cx.obj(None, [T_RECV, "Microsoft.Exchange.Data."
                                     "Directory.SystemConfiguration."
                                     "ADConfigurationObject",
                                     "Microsoft.Exchange.Data.Directory."
                                     "ADObject", "System.Object"],
                              ident, ind, props=p)


def send_obj(cx, c, first):
    p = []
    p.append(B("DNSRoutingEnabled", not c["SmartHosts"]))
    if c["TlsDomain"] is None:
        p.append(Nil("TlsDomain"))
    else:
        p.append(S("TlsDomain", c["TlsDomain"]))
    if c["TlsAuthLevel"] is None:
        p.append(Nil("TlsAuthLevel"))
    else:
        p.append(enum(cx, "TlsAuthLevel", "Microsoft.Exchange.Data."
                      "TlsAuthLevel", c["TlsAuthLevel"], 2))
    p.append(mvp(cx, "SmartHosts", "SmartHost", c["SmartHosts"]))
    p.append(I32("Port", 25))
    p.append(B("CloudServicesMailEnabled", c["CloudServicesMailEnabled"]))
    p.append(fqdn(cx, "Fqdn", c["Fqdn"]))
    if c["TlsCertificateName"]:
        iss, subj = c["TlsCertificateName"][3:].split("<S>")
        p.append(x509(cx, "TlsCertificateName", iss, subj))
    else:
        p.append(Nil("TlsCertificateName"))
    p.append(B("RequireTLS", c["RequireTLS"]))
    p.append(B("Enabled", c["Enabled"]))
    p.append(mvp(cx, "AddressSpaces", "AddressSpace", c["AddressSpaces"]))
    if first:
        p.append(mvp(cx, "SourceTransportServers", "ADObjectId",
                     c["SourceTransportServers"]))
    else:
        # A <Ref> to the same list would not hold these values; a list of
        # strings, as a select-object shell gives, is another shape.
        p.append(lambda ind: "%s<Obj N=\"SourceTransportServers\" "
                 "RefId=\"%d\">\n%s  <LST>\n%s  </LST>\n%s</Obj>\n" % (
                     ind, 900, ind,
                     "".join("%s    <S>%s</S>\n" % (ind, esc(s))
                             for s in c["SourceTransportServers"]), ind))
    p.append(S("Name", c["Name"]))
    p.append(adobjectid(cx, "Identity", c["Name"]))
    return lambda ind: cx.obj(None, [T_SEND, "Microsoft.Exchange.Data."
                                     "Directory.SystemConfiguration."
                                     "MailGateway", "Microsoft.Exchange."
                                     "Data.Directory.SystemConfiguration."
                                     "SendConnector", "System.Object"],
                              c["Name"], ind, props=p)


def receive_doc():
    cx = Clixml(True)
    return document(cx, [receive_obj(cx, c) for c in RECEIVE])


def send_doc():
    cx = Clixml(False)
    return document(cx, [send_obj(cx, c, i == 0) for i, c in
                         enumerate(SEND)])


def utf16(s):
    return b"\xff\xfe" + s.replace("\n", "\r\n").encode("utf-16-le")


def receive_json():
    out = []
    for c in RECEIVE:
        o = {"Name": c["Name"], "AdvertiseClientSettings":
             c["AdvertiseClientSettings"],
             "AuthMechanism": c["AuthMechanism"],
             "TransportRole": c["TransportRole"]}
        o["Fqdn"] = {"Domain": c["Fqdn"]}
        if c["TlsCertificateName"] is None:
            o["TlsCertificateName"] = None
        else:
            iss, subj = c["TlsCertificateName"][3:].split("<S>")
            o["TlsCertificateName"] = {"CertificateSubject": subj,
                                       "CertificateIssuer": iss,
                                       "SubjectCommonName": subj[3:]}
        binds = []
        for b in c["Bindings"]:
            a, port = b.rsplit(":", 1)
            a = a.strip("[]")
            binds.append({"Port": int(port), "AddressFamily":
                          "InterNetworkV6" if ":" in a else "InterNetwork",
                          "Address": {"IPAddressToString": a}})
        o["Bindings"] = binds
        if "TlsDomainCapabilities" in c:
            # Deeper than ConvertTo-Json's default depth: strings.
            o["TlsDomainCapabilities"] = c["TlsDomainCapabilities"]
        if c["Server"] is not None:
            o["Server"] = {"Name": c["Server"], "DistinguishedName":
                           "CN=%s,CN=Servers" % c["Server"]}
            o["Identity"] = c["Server"] + "\\" + c["Name"]
        else:
            o["Identity"] = c["Identity"]
        o["MaxHopCount"] = 60
        out.append(o)
    return json.dumps(out, indent=4, ensure_ascii=False) + "\n"


def send_json():
    c = SEND[0]
    iss, subj = c["TlsCertificateName"][3:].split("<S>")
    o = {"Name": c["Name"], "Fqdn": {"Domain": c["Fqdn"]},
         "TlsCertificateName": {"CertificateSubject": subj,
                                "CertificateIssuer": iss},
         "CloudServicesMailEnabled": c["CloudServicesMailEnabled"],
         "TlsDomain": c["TlsDomain"], "TlsAuthLevel": c["TlsAuthLevel"],
         "RequireTLS": c["RequireTLS"],
         "SmartHosts": [{"Domain": h, "IsIPAddress": False,
                         "Address": None} for h in c["SmartHosts"]],
         "AddressSpaces": [{"Type": a.split(":")[0],
                            "Address": a.split(":")[1].split(";")[0],
                            "Cost": int(a.split(";")[1])}
                           for a in c["AddressSpaces"]],
         "SourceTransportServers": [{"Name": s, "DistinguishedName":
                                     "CN=%s" % s}
                                    for s in c["SourceTransportServers"]],
         "Enabled": c["Enabled"], "Port": 25}
    return json.dumps(o, indent=2) + "\n"


def csv_quote(v):
    return '"' + v.replace('"', '""') + '"'


def receive_csv():
    cols = ["Identity", "Name", "Server", "Fqdn", "TlsCertificateName",
            "AdvertiseClientSettings", "AuthMechanism", "TransportRole",
            "Bindings", "MaxHopCount"]
    lines = ["#TYPE Deserialized." + T_RECV,
             ",".join(csv_quote(c) for c in cols)]
    for c in RECEIVE:
        ident = (c["Server"] + "\\" + c["Name"]) if c["Server"] \
            else c["Identity"]
        row = [ident, c["Name"], c["Server"] or "", c["Fqdn"],
               c["TlsCertificateName"] or "",
               "True" if c["AdvertiseClientSettings"] else "False",
               c["AuthMechanism"], c["TransportRole"],
               "Microsoft.Exchange.Data.MultiValuedProperty`1"
               "[Microsoft.Exchange.Data.IPBinding]", "60"]
        lines.append(",".join(csv_quote(v) for v in row))
    return "\n".join(lines) + "\n"


def send_csv():
    cols = ["Name", "Fqdn", "TlsCertificateName", "CloudServicesMailEnabled",
            "TlsDomain", "TlsAuthLevel", "RequireTLS", "SmartHosts",
            "AddressSpaces", "SourceTransportServers", "Enabled", "Comment"]
    lines = [",".join(cols)]
    for c in SEND:
        row = [c["Name"], c["Fqdn"], c["TlsCertificateName"],
               str(c["CloudServicesMailEnabled"]), c["TlsDomain"] or "",
               c["TlsAuthLevel"] or "", str(c["RequireTLS"]),
               "System.Object[]", "System.Object[]", "System.Object[]",
               str(c["Enabled"]), "line one\nline \"two\", three"]

        def q(v):
            return csv_quote(v) if any(ch in v for ch in ',"\n') else v
        lines.append(",".join(q(v) for v in row))
    return "\r\n".join(lines) + "\r\n"


def write(name, data):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def main():
    rd = receive_doc()
    write("receive-utf16.xml", utf16(rd))
    write("receive-utf8.xml", rd)
    write("send-utf8bom.xml", b"\xef\xbb\xbf" + send_doc().encode("utf-8"))
    write("receive.json", utf16(receive_json()))
    write("send.json", send_json())
    write("receive.csv", utf16(receive_csv()))
    write("send.csv", send_csv())

    h = "hostile/"
    write(h + "truncated.xml", rd[:len(rd) // 2])
    write(h + "wrongroot.xml", '<Objects xmlns="%s">\n  <Obj RefId="0">'
          "<MS><S N=\"Name\">x</S></MS></Obj>\n</Objects>\n" % NS)
    cx = Clixml(True)
    noname = dict(RECEIVE[0])
    body = receive_obj(cx, noname)("  ").replace(
        '<S N="Name">Client Frontend MAILBOX01</S>', "")
    write(h + "noname.xml", '<Objs Version="1.1.0.1" xmlns="%s">\n%s'
          "</Objs>\n" % (NS, body))
    cx = Clixml(True)
    second = dict(RECEIVE[0])
    second["Name"] = "CLIENT FRONTEND mailbox01"
    second["Server"] = "mailbox01"
    write(h + "duplicate.xml", document(cx, [receive_obj(cx, RECEIVE[0]),
                                             receive_obj(cx, second)]))
    write(h + "odd.xml", utf16(rd) + b"\x00")
    write(h + "lyingbom.xml", b"\xff\xfe" + rd.encode("utf-8"))
    write(h + "doctype.xml", '<?xml version="1.0"?>\n<!DOCTYPE Objs [\n'
          '  <!ENTITY a "aaaaaaaaaa">\n]>\n<Objs Version="1.1.0.1" '
          'xmlns="%s">\n  <S>&a;</S>\n</Objs>\n' % NS)
    cx = Clixml(True)
    write(h + "notconnector.xml", document(cx, [
        lambda ind: cx.obj(None, ["Microsoft.Exchange.Management."
                                  "SystemConfigurationTasks."
                                  "ExchangeCertificate", "System.Object"],
                           "[Subject]", ind,
                           props=[S("Thumbprint", "00" * 20)])]))
    cx = Clixml(True)
    ctl = dict(RECEIVE[0])
    ctl["Name"] = "Client\x1b[31m Frontend"
    write(h + "control.xml", document(cx, [receive_obj(cx, ctl)]).replace(
        "\x1b", "_x001B_"))
    cx = Clixml(False)
    bad = send_doc().replace('<B N="RequireTLS">true</B>',
                             '<S N="RequireTLS">maybe</S>')
    write(h + "badbool.xml", bad)
    rj = receive_json()
    write(h + "truncated.json", rj[:len(rj) // 2])
    write(h + "badquote.csv", 'Name,Fqdn,Bindings\n"x,y.contoso.com,a\n')
    write(h + "ragged.csv", 'Name,Fqdn,Bindings\nx,y.contoso.com,a,extra\n')


if __name__ == "__main__":
    main()
