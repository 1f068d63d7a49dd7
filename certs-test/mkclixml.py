#!/usr/bin/env python3
"""mkclixml.py: writes certs-test/exchange/, what an Exchange admin gets
from `Get-ExchangeCertificate | Export-Clixml`, made from the test PKI's
certificates in certs-test/store/ (certbind(1) THE STORE; the shapes are
those of doc/clixml.md):

  certs-utf16.xml     the Deserialized shape (run through remoting, as the
                      Exchange Management Shell does), UTF-16LE with a byte
                      order mark as Windows PowerShell 5.1 writes it; with
                      FriendlyName, lists, enums, Nil and a Ref
  certs-utf8.xml      the same document in UTF-8 without a byte order mark
  live-utf8bom.xml    the live shape (a local session: the Exchange types,
                      RawData in <Props>, the rest in SerializationData),
                      UTF-8 with a byte order mark
  live-utf16.xml      the live shape in UTF-16LE
  damaged/            exports that must be reported and skipped:
    truncated.xml       certs-utf16.xml cut in the middle of an element
    odd.xml             certs-utf16.xml with one byte more (odd count)
    badbase64.xml       a RawData that is not base64, then a good object
    notcert.xml         a RawData that is no certificate, then a good one
    connectors.xml      no RawData at all (a receive connector): skipped

Run from the top of the tree: python3 certs-test/mkclixml.py.  The output
depends only on the certificates, so running it again changes nothing.
"""
import base64
import os
import re
import sys

TOP = os.path.dirname(os.path.abspath(__file__))
STORE = os.path.join(TOP, "store")
OUT = os.path.join(TOP, "exchange")
NS = "http://schemas.microsoft.com/powershell/2004/04"

# (file in certs-test/store, FriendlyName or None, Services)
CERTS = [
    ("mail.contoso.com.pem", "Contoso mail 2026", "IMAP, POP, IIS, SMTP"),
    ("ec-p256.contoso.com.pem", None, "SMTP"),
    ("autodiscover.contoso.com.cer", "Autodiscover & <web>", "IIS"),
    ("selfsigned.contoso.com.pem", "", "None"),
    ("expired.contoso.com.pem", "Old_x_cert", "SMTP"),
]


def der_of(name):
    data = open(os.path.join(STORE, name), "rb").read()
    m = re.search(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----",
                  data, re.S)
    if m:
        return base64.b64decode(b"".join(m.group(1).split()))
    return data


def esc(s):
    """XML text as PowerShell writes it: _ before x as _x005F_, CR LF as
    _x000D__x000A_, and the XML escapes."""
    s = s.replace("_x", "_x005F_x")
    s = s.replace("\r", "_x000D_").replace("\n", "_x000A_")
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def deserialized(certs):
    """The Deserialized shape: every property in <Props>."""
    out = ['<Objs Version="1.1.0.1" xmlns="%s">' % NS]
    refid = 0
    for i, (name, friendly, services) in enumerate(certs):
        der = der_of(name)
        o = refid
        refid += 1
        out.append('  <Obj RefId="%d">' % o)
        if i == 0:
            out.append('    <TN RefId="0">')
            for t in ("Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate",
                      "System.Security.Cryptography.X509Certificates.X509Certificate2",
                      "System.Security.Cryptography.X509Certificates.X509Certificate",
                      "System.Object"):
                out.append("      <T>Deserialized.%s</T>" % t)
            out.append("    </TN>")
        else:
            out.append('    <TNRef RefId="0" />')
        out.append("    <ToString>[Subject]\r\n  from %s\r\n</ToString>"
                   .replace("\r\n", "_x000D__x000A_") % esc(name))
        out.append("    <Props>")
        out.append('      <B N="Archived">false</B>')
        out.append('      <Obj N="Extensions" RefId="%d">' % refid)
        refid += 1
        out.append('        <TN RefId="%d">' % (10 + i))
        out.append("          <T>Deserialized.System.Security.Cryptography."
                   "X509Certificates.X509ExtensionCollection</T>")
        out.append("          <T>Deserialized.System.Object</T>")
        out.append("        </TN>")
        out.append("        <IE />")
        out.append("      </Obj>")
        if friendly is None:
            out.append('      <Nil N="FriendlyName" />')
        elif friendly == "":
            out.append('      <S N="FriendlyName" />')
        else:
            out.append('      <S N="FriendlyName">%s</S>' % esc(friendly))
        out.append('      <B N="HasPrivateKey">true</B>')
        out.append('      <DT N="NotAfter">2027-06-01T00:00:00+00:00</DT>')
        out.append('      <BA N="RawData">%s</BA>'
                   % base64.b64encode(der).decode())
        out.append('      <I32 N="Version">3</I32>')
        out.append('      <Obj N="CertificateDomains" RefId="%d">' % refid)
        refid += 1
        out.append('        <TN RefId="%d">' % (20 + i))
        out.append("          <T>Deserialized.Microsoft.Exchange.Data."
                   "MultiValuedProperty`1[[Microsoft.Exchange.Data."
                   "SmtpDomain]]</T>")
        out.append("        </TN>")
        out.append("        <LST>")
        out.append("          <S>%s</S>" % esc(name.rsplit(".", 1)[0]))
        out.append("        </LST>")
        out.append("      </Obj>")
        out.append('      <Obj N="Services" RefId="%d">' % refid)
        refid += 1
        out.append('        <TN RefId="%d">' % (30 + i))
        out.append("          <T>Deserialized.Microsoft.Exchange.Management."
                   "SystemConfigurationTasks.AllowedServices</T>")
        out.append("          <T>Deserialized.System.Enum</T>")
        out.append("        </TN>")
        out.append("        <ToString>%s</ToString>" % services)
        out.append("        <I32>%d</I32>" % len(services))
        out.append("      </Obj>")
        out.append('      <Ref N="Self" RefId="%d" />' % o)
        out.append("    </Props>")
        out.append("    <MS>")
        out.append('      <S N="PSComputerName">ex01.contoso.com</S>')
        out.append('      <G N="RunspaceId">3e7c2964-0000-4f43-b318-'
                   'b3a23880dcbc</G>')
        out.append('      <B N="PSShowComputerName">false</B>')
        out.append("    </MS>")
        out.append("  </Obj>")
    out.append("</Objs>")
    return "\r\n".join(out)


def live(certs):
    """The live shape: the Exchange types, RawData alone in <Props>."""
    out = ['<Objs Version="1.1.0.1" xmlns="%s">' % NS]
    for i, (name, _friendly, _services) in enumerate(certs):
        der = der_of(name)
        out.append('  <Obj RefId="%d">' % i)
        if i == 0:
            out.append('    <TN RefId="0">')
            for t in ("Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate",
                      "System.Security.Cryptography.X509Certificates.X509Certificate2",
                      "System.Security.Cryptography.X509Certificates.X509Certificate",
                      "System.Object"):
                out.append("      <T>%s</T>" % t)
            out.append("    </TN>")
        else:
            out.append('    <TNRef RefId="0" />')
        out.append("    <ToString>[Subject]_x000D__x000A_  %s_x000D__x000A_"
                   "</ToString>" % esc(name))
        out.append("    <Props>")
        out.append('      <BA N="RawData">%s</BA>'
                   % base64.b64encode(der).decode())
        out.append("    </Props>")
        out.append("    <MS>")
        out.append('      <S N="PSComputerName">ex01.contoso.com</S>')
        out.append('      <BA N="SerializationData">%s</BA>'
                   % base64.b64encode(b"\0\1\0\0\0\xff\xff\xff\xff" * 8)
                   .decode())
        out.append("    </MS>")
        out.append("  </Obj>")
    out.append("</Objs>")
    return "\r\n".join(out)


def utf16(text):
    return b"\xff\xfe" + text.encode("utf-16-le")


def write(name, data):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    doc = deserialized(CERTS)
    write("certs-utf16.xml", utf16(doc))
    write("certs-utf8.xml", doc.encode())
    ldoc = live(CERTS[:3])
    write("live-utf8bom.xml", b"\xef\xbb\xbf" + ldoc.encode())
    write("live-utf16.xml", utf16(ldoc))
    whole = utf16(doc)
    # Cut inside an element, at an even offset: a transfer that stopped.
    write("damaged/truncated.xml", whole[: len(whole) // 2 // 2 * 2])
    write("damaged/odd.xml", whole + b"\n")
    one = CERTS[:2]
    bad = live(one).replace('<BA N="RawData">MII', '<BA N="RawData">M*I', 1)
    write("damaged/badbase64.xml", utf16(bad))
    junk = base64.b64encode(b"\x30\x03\x02\x01\x05").decode()
    nc = re.sub(r'<BA N="RawData">[^<]*</BA>',
                '<BA N="RawData">%s</BA>' % junk, live(one), count=1)
    write("damaged/notcert.xml", nc.encode())
    write("damaged/connectors.xml", (
        '<Objs Version="1.1.0.1" xmlns="%s">\r\n'
        '  <Obj RefId="0">\r\n'
        '    <TN RefId="0"><T>Deserialized.Microsoft.Exchange.Data.Directory.'
        'SystemConfiguration.ReceiveConnector</T></TN>\r\n'
        '    <ToString>EX01\\Default Frontend EX01</ToString>\r\n'
        '    <Props>\r\n'
        '      <S N="Name">Default Frontend EX01</S>\r\n'
        '      <Nil N="TlsCertificateName" />\r\n'
        '    </Props>\r\n'
        '  </Obj>\r\n'
        '</Objs>' % NS).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
