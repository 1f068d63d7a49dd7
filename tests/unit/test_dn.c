/*
 * Unit tests for dn.c: the Windows string of a Name (certbind(1) CERTIFICATE
 * FIELDS).
 *
 * Expected strings come from outside this code: Windows output published
 * by others (cited at each vector) and the rules of certbind(1) CERTIFICATE
 * FIELDS applied by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dn.h"

#define MOZILLA "/usr/share/ca-certificates/mozilla/"

/* Test helper: hex text (no separators) to bytes; caller frees. */
static unsigned char *
unhex(const char *hex, size_t *len)
{
	unsigned char *b;
	size_t	       i, n = strlen(hex) / 2;
	unsigned int   v;

	assert_int_equal(strlen(hex) % 2, 0);
	b = malloc(n + 1);
	assert_non_null(b);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		b[i] = v;
	}
	*len = n;
	return b;
}

static void
expect_bytes(const char *got, size_t glen, const char *want, size_t wlen)
{
	if (got == NULL)
		fail_msg("NULL, want \"%s\"", want);
	if (glen != wlen || memcmp(got, want, wlen) != 0)
		fail_msg("got \"%.*s\" (%zu), want \"%s\" (%zu)", (int)glen,
			 got, glen, want, wlen);
	assert_int_equal(got[glen], '\0');
}

/* The Windows string of the Name in hex must be want (a C string). */
static void
expect_hex(const char *hex, const char *want)
{
	unsigned char *der;
	size_t	       len, olen = 0;
	char	      *s;

	der = unhex(hex, &len);
	s = dn_der_to_windows(der, len, &olen);
	expect_bytes(s, olen, want, strlen(want));
	free(s);
	free(der);
}

static void
expect_hex_null(const char *hex)
{
	unsigned char *der;
	size_t	       len, olen = 12345;
	char	      *s;

	der = unhex(hex, &len);
	s = dn_der_to_windows(der, len, &olen);
	if (s != NULL)
		fail_msg("%s: got \"%s\", want NULL", hex, s);
	free(der);
}

/*
 * A Name of one-attribute RDNs in DER order: oids[i] is the OID's DER
 * contents in hex, vals[i] the attribute value's whole DER in hex.
 */
static char *
build_name(size_t n, const char *const *oids, const char *const *vals)
{
	static char hex[4096];
	char	    atv[512], set[600], body[3000];
	size_t	    i;

	body[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(atv, sizeof(atv), "06%02zX%s%s", strlen(oids[i]) / 2,
			 oids[i], vals[i]);
		snprintf(set, sizeof(set), "30%02zX%s", strlen(atv) / 2, atv);
		snprintf(body + strlen(body), sizeof(body) - strlen(body),
			 "31%02zX%s", strlen(set) / 2, set);
	}
	assert_true(strlen(body) / 2 < 256);
	if (strlen(body) / 2 < 128)
		snprintf(hex, sizeof(hex), "30%02zX%s", strlen(body) / 2, body);
	else
		snprintf(hex, sizeof(hex), "3081%02zX%s", strlen(body) / 2,
			 body);
	return hex;
}

/* One RDN holding one attribute: OID contents hex, value DER hex. */
static void
expect_attr(const char *oid, const char *val, const char *want)
{
	const char *o[1] = {oid}, *v[1] = {val};

	expect_hex(build_name(1, o, v), want);
}

/* As expect_attr, for a want that may contain NUL. */
static void
expect_attr_bytes(const char *oid, const char *val, const char *want,
		  size_t wlen)
{
	const char    *o[1] = {oid}, *v[1] = {val};
	unsigned char *der;
	size_t	       len, olen = 0;
	char	      *s;

	der = unhex(build_name(1, o, v), &len);
	s = dn_der_to_windows(der, len, &olen);
	expect_bytes(s, olen, want, wlen);
	free(s);
	free(der);
}

/*
 * dotnet/runtime,
 * src/libraries/System.Security.Cryptography/tests/X509Certificates/
 * X500DistinguishedNameTests.cs: DER and the strings Windows'
 * CertNameToStr gives for them.  Tests there using
 * X500DistinguishedNameFlags.None print RDNs in DER order; a name of
 * several RDNs is given here in reversed order (CERT_NAME_STR_REVERSE_FLAG,
 * X509Certificate2.Subject), noted at each.
 */
static void
test_dotnet_vectors(void **state)
{
	/* PrintMultiComponentRdn (asserted with Reversed too). */
	expect_hex("30223120300C060355040313054A616D65733010060355040A1309"
		   "4D6963726F736F6674",
		   "CN=James + O=Microsoft");
	/* PrintUnknownOidRdn */
	expect_hex("30183116301406052901020203130B496E76616C6964204F6964",
		   "OID.1.1.1.2.2.3=Invalid Oid");
	/* NameWithNumericString; None gives
	 * "OID.1.1.1.2.2.3=123 654 7890, CN=Test". */
	expect_hex("30283117301506052901020203120C313233203635342037383930"
		   "310D300B0603550403130454657374",
		   "CN=Test, OID.1.1.1.2.2.3=123 654 7890");
	/* OrganizationUnitMultiValueWithIncorrectlySortedDerSet */
	expect_hex("301C311A300B060355040B13047A7A7A7A300B060355040B1304"
		   "61616161",
		   "OU=zzzz + OU=aaaa");
	/* PrintComplexReversed; the tail is the Windows 8.1 output the
	 * test's comment quotes. */
	expect_hex(
	    "3082010F31133011060B2B0601040182373C02010313025553311B3019060B2B"
	    "0601040182373C0201020C0A57617368696E67746F6E311D301B060355040F13"
	    "1450726976617465204F7267616E697A6174696F6E3112301006035504051309"
	    "363030343133343835310B3009060355040613025553310E300C06035504110C"
	    "0539383035323113301106035504080C0A57617368696E67746F6E3110300E06"
	    "035504070C075265646D6F6E643118301606035504090C0F31204D6963726F73"
	    "6F667420576179311E301C060355040A0C154D6963726F736F667420436F7270"
	    "6F726174696F6E310E300C060355040B0C054D53434F4D311A30180603550403"
	    "0C117777772E6D6963726F736F66742E636F6D",
	    "CN=www.microsoft.com, OU=MSCOM, O=Microsoft Corporation, "
	    "STREET=1 Microsoft Way, L=Redmond, S=Washington, "
	    "PostalCode=98052, C=US, SERIALNUMBER=600413485, "
	    "OID.2.5.4.15=Private Organization, "
	    "OID.1.3.6.1.4.1.311.60.2.1.2=Washington, "
	    "OID.1.3.6.1.4.1.311.60.2.1.3=US");
	/* EnumeratorWithNonTextualData: the string in its comment. */
	expect_hex(
	    "308198310B3009060355040613025553311330110603550408130A57"
	    "617368696E67746F6E3110300E060355040713075265646D6F6E64311E30"
	    "1C060355040A13154D6963726F736F667420436F72706F726174696F6E31"
	    "20301E060355040B13172E4E4554204672616D65776F726B2028436F7265"
	    "46582931123010060355040313096C6F63616C686F7374310C300A060355"
	    "046A06032A0304",
	    "OID.2.5.4.106=#06032A0304, CN=localhost, "
	    "OU=.NET Framework (CoreFX), O=Microsoft Corporation, "
	    "L=Redmond, S=Washington, C=US");
}

/* X500DistinguishedNameTests.cs WhitespaceBeforeCases/AfterCases. */
static void
test_dotnet_whitespace(void **state)
{
	expect_hex("3017311530130603550403130C20436F6D6D6F6E204E616D65",
		   "CN=\" Common Name\"");
	expect_hex("30233121301F06035504031E1800090043006F006D006D006F006E"
		   "0020004E0061006D0065",
		   "CN=\"\tCommon Name\"");
	expect_hex("30233121301F06035504031E18000A0043006F006D006D006F006E"
		   "0020004E0061006D0065",
		   "CN=\"\nCommon Name\"");
	expect_hex("30233121301F06035504031E18000D0043006F006D006D006F006E"
		   "0020004E0061006D0065",
		   "CN=\"\rCommon Name\"");
	/* U+2002 is Unicode white space, yet Windows does not quote it. */
	expect_hex("30233121301F06035504031E1820020043006F006D006D006F006E"
		   "0020004E0061006D0065",
		   "CN=\xE2\x80\x82"
		   "Common Name");
	expect_hex("3017311530130603550403130C436F6D6D6F6E204E616D6520",
		   "CN=\"Common Name \"");
	expect_hex("30233121301F06035504031E180043006F006D006D006F006E0020"
		   "004E0061006D00650009",
		   "CN=\"Common Name\t\"");
	expect_hex("30233121301F06035504031E180043006F006D006D006F006E0020"
		   "004E0061006D0065000A",
		   "CN=\"Common Name\n\"");
	expect_hex("30233121301F06035504031E180043006F006D006D006F006E0020"
		   "004E0061006D0065000D",
		   "CN=\"Common Name\r\"");
	expect_hex("30233121301F06035504031E180043006F006D006D006F006E0020"
		   "004E0061006D00652002",
		   "CN=Common Name\xE2\x80\x82");
}

/* X500DistinguishedNameTests.cs QuotedContentsCases, InternallyQuotedRDNs. */
static void
test_dotnet_quoting(void **state)
{
	expect_hex("300B3109300706035504031300", "CN=\"\"");
	expect_hex("3016311430120603550403130B436F6D6D6F6E2C4E616D65",
		   "CN=\"Common,Name\"");
	expect_hex("3016311430120603550403130B436F6D6D6F6E2B4E616D65",
		   "CN=\"Common+Name\"");
	expect_hex("3016311430120603550403130B436F6D6D6F6E3D4E616D65",
		   "CN=\"Common=Name\"");
	expect_hex("3021311F301D06035504031E160043006F006D006D006F006E000A"
		   "004E0061006D0065",
		   "CN=\"Common\nName\"");
	expect_hex("3021311F301D06035504031E160043006F006D006D006F006E000D"
		   "004E0061006D0065",
		   "CN=Common\rName");
	expect_hex("3021311F301D06035504031E160043006F006D006D006F006E003C"
		   "004E0061006D0065",
		   "CN=\"Common<Name\"");
	expect_hex("3021311F301D06035504031E160043006F006D006D006F006E003E"
		   "004E0061006D0065",
		   "CN=\"Common>Name\"");
	expect_hex("3021311F301D06035504031E160043006F006D006D006F006E0023"
		   "004E0061006D0065",
		   "CN=\"Common#Name\"");
	expect_hex("3021311F301D06035504031E160043006F006D006D006F006E003B"
		   "004E0061006D0065",
		   "CN=\"Common;Name\"");
	expect_hex("3021311F301D06035504031E160043006F006D006D006F006E0022"
		   "004E0061006D0065",
		   "CN=\"Common\"\"Name\"");
	expect_hex("30233121301F06035504031E1800220043006F006D006D006F006E"
		   "0020004E0061006D0065",
		   "CN=\"\"\"Common Name\"");
	expect_hex("30233121301F06035504031E180043006F006D006D006F006E0020"
		   "004E0061006D00650022",
		   "CN=\"Common Name\"\"\"");
}

/* X500DistinguishedNameTests.cs T61Cases (asserted through .Name). */
static void
test_dotnet_t61(void **state)
{
	expect_hex(
	    "308186310b3009060355040613024a50310f300d060355040813064d69796167"
	    "69311830160603550407130f53656e64616920497a756d692d6b753117301506"
	    "0355040a140e47726170654369747920696e632e311a3018060355040b141154"
	    "6f6f6c7320446576656c6f706d656e74311730150603550403140e4772617065"
	    "4369747920696e632e",
	    "CN=GrapeCity inc., OU=Tools Development, O=GrapeCity inc., "
	    "L=Sendai Izumi-ku, S=Miyagi, C=JP");
	expect_hex(
	    "3081B5310B300906035504061302444B312D302B060355040A14244865646562"
	    "792773204DF862656C68616E64656C202F2F204356523A313334373139363731"
	    "2F302D060355040314264865646562792773204DF862656C68616E64656C202D"
	    "2053616C6773616664656C696E67656E311E301C06092A864886F70D01090116"
	    "0F76686D407573652E746573742E646B312630240603550405131D4356523A31"
	    "333437313936372D5549443A313231323132313231323132",
	    "SERIALNUMBER=CVR:13471967-UID:121212121212, E=vhm@use.test.dk, "
	    "CN=Hedeby's M\xC3\xB8"
	    "belhandel - Salgsafdelingen, "
	    "O=Hedeby's M\xC3\xB8"
	    "belhandel // CVR:13471967, C=DK");
	expect_hex("300D310B300906035504061402C2A2", "C=\xC2\xA2");
	expect_hex("300E310C300A06035504071403C2A2F8",
		   "L=\xC3\x82\xC2\xA2\xC3\xB8");
}

/* X500DistinguishedNameTests.cs Format_ComponentWithNonStringContent. */
static void
test_dotnet_nonstring(void **state)
{
	static const char *cn = "550403", *st = "550408", *zz = "00";
	const char	  *o[3], *v[3];

	expect_attr(cn, "3000", "CN=#3000");
	expect_attr("550405", "0603550406", "SERIALNUMBER=#0603550406");
	expect_attr(zz, "31020500", "OID.0.0=#31020500");
	expect_attr(cn, "04023000", "CN=#3000");
	expect_attr(cn, "040404023000", "CN=#04023000");
	expect_attr(cn, "0303003000", "CN=#0303003000");
	expect_attr(st, "0500", "S=#0500");
	expect_attr(st, "0101FF", "S=#0101FF");
	/* None: "CN=#0101FF, S=#3000" */
	o[0] = cn;
	v[0] = "0101FF";
	o[1] = st;
	v[1] = "3000";
	expect_hex(build_name(2, o, v), "S=#3000, CN=#0101FF");
	/* None: "CN=PJ, S=#3000, OID.0.0=AA" */
	v[0] = "0C02504A";
	o[2] = zz;
	v[2] = "0C024141";
	expect_hex(build_name(3, o, v), "OID.0.0=AA, S=#3000, CN=PJ");
	/* None: "CN=\"#00\", S=#3000" */
	v[0] = "0C03233030";
	expect_hex(build_name(2, o, v), "S=#3000, CN=\"#00\"");
	/* Format_MultiValueComponentWithNonStringContent, DER-sorted sets;
	 * None: "CN=#3000 + S=#3100, SERIALNUMBER=0123 + O=#31055050505050
	 * + STREET=TACOCAT" */
	expect_hex(
	    "30413112300706035504033000300706035504083100312B300B06035504"
	    "050C0430313233300C060355040A31055050505050300E06035504090C07"
	    "5441434F434154",
	    "SERIALNUMBER=0123 + O=#31055050505050 + STREET=TACOCAT, "
	    "CN=#3000 + S=#3100");
}

/*
 * Mozilla roots shipped by Debian's ca-certificates, each identified by
 * SHA-1, against the Subject Windows printed for the same certificate
 * (the same SHA-1 thumbprint) in a published PowerShell
 * "Get-ChildItem Cert:\LocalMachine\Root" table (a "windows PowerShell
 * 使用指南" Markdown guide, search-index file 12188503876), and for
 * DigiCert Global Root G2 a published Format-List of the same cmdlet
 * (search-index file 16497598199: Subject, Issuer, Thumbprint
 * DF3C24F9BFD666761B268073FE06D1CC8D4F82A4).  Self-signed: the Issuer
 * string must be the same.
 */
static const struct {
	const char *file;
	const char *sha1;
	const char *subject;
} roots[] = {
    {"GlobalSign_Root_CA.crt", "B1BC968BD4F49D622AA89A81F2150152A41D829C",
     "CN=GlobalSign Root CA, OU=Root CA, O=GlobalSign nv-sa, C=BE"},
    {"COMODO_RSA_Certification_Authority.crt",
     "AFE5D244A8D1194230FF479FE2F897BBCD7A8CB4",
     "CN=COMODO RSA Certification Authority, O=COMODO CA Limited, "
     "L=Salford, S=Greater Manchester, C=GB"},
    {"COMODO_ECC_Certification_Authority.crt",
     "9F744E9F2B4DBAEC0F312C50B6563B8E2D93C311",
     "CN=COMODO ECC Certification Authority, O=COMODO CA Limited, "
     "L=Salford, S=Greater Manchester, C=GB"},
    {"Starfield_Root_Certificate_Authority_-_G2.crt",
     "B51C067CEE2B0C3DF855AB2D92F4FE39D4E70F0E",
     "CN=Starfield Root Certificate Authority - G2, "
     "O=\"Starfield Technologies, Inc.\", L=Scottsdale, S=Arizona, "
     "C=US"},
    {"Starfield_Class_2_CA.crt", "AD7E1C28B064EF8F6003402014C3D0E3370EB58A",
     "OU=Starfield Class 2 Certification Authority, "
     "O=\"Starfield Technologies, Inc.\", C=US"},
    {"Go_Daddy_Root_Certificate_Authority_-_G2.crt",
     "47BEABC922EAE80E78783462A79F45C254FDE68B",
     "CN=Go Daddy Root Certificate Authority - G2, "
     "O=\"GoDaddy.com, Inc.\", L=Scottsdale, S=Arizona, C=US"},
    {"DigiCert_Global_Root_CA.crt", "A8985D3A65E5E5C4B2D7D66D40C6DD2FB19C5436",
     "CN=DigiCert Global Root CA, OU=www.digicert.com, "
     "O=DigiCert Inc, C=US"},
    {"DigiCert_Global_Root_G2.crt", "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4",
     "CN=DigiCert Global Root G2, OU=www.digicert.com, "
     "O=DigiCert Inc, C=US"},
    {"DigiCert_High_Assurance_EV_Root_CA.crt",
     "5FB7EE0633E259DBAD0C4C9AE6D38F1A61C7DC25",
     "CN=DigiCert High Assurance EV Root CA, OU=www.digicert.com, "
     "O=DigiCert Inc, C=US"},
    {"Microsec_e-Szigno_Root_CA_2009.crt",
     "89DF74FE5CF40F4A80F9E3377D54DA91E101318E",
     "E=info@e-szigno.hu, CN=Microsec e-Szigno Root CA 2009, "
     "O=Microsec Ltd., L=Budapest, C=HU"},
    {"XRamp_Global_CA_Root.crt", "B80186D1EB9C86A54104CF3054F34C52B7E558C6",
     "CN=XRamp Global Certification Authority, "
     "O=XRamp Security Services Inc, OU=www.xrampsecurity.com, C=US"},
    {"SecureTrust_CA.crt", "8782C6C304353BCFD29692D2593E7D44D934FF11",
     "CN=SecureTrust CA, O=SecureTrust Corporation, C=US"},
    {"ePKI_Root_Certification_Authority.crt",
     "67650DF17E8E7E5B8240A4F4564BCFE23D69C6F0",
     "OU=ePKI Root Certification Authority, "
     "O=\"Chunghwa Telecom Co., Ltd.\", C=TW"},
    {"Security_Communication_RootCA2.crt",
     "5F3B8CF2F810B37D78B4CEEC1919C37334B9C774",
     "OU=Security Communication RootCA2, "
     "O=\"SECOM Trust Systems CO.,LTD.\", C=JP"},
    {"AffirmTrust_Premium_ECC.crt", "B8236B002F1D16865301556C11A437CAEBFFC3BB",
     "CN=AffirmTrust Premium ECC, O=AffirmTrust, C=US"},
    {"TeliaSonera_Root_CA_v1.crt", "4313BB96F1D5869BC14E6A92F6CFF63469878237",
     "CN=TeliaSonera Root CA v1, O=TeliaSonera"},
    {"Certigna.crt", "B12E13634586A46F1AB2606837582DC4ACFD9497",
     "CN=Certigna, O=Dhimyotis, C=FR"},
};

static void
test_mozilla_roots(void **state)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char	      path[512], hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int  mdlen, j;
	size_t	      i, len;
	FILE	     *fp;
	X509	     *x;
	char	     *s;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), MOZILLA "%s", roots[i].file);
		if ((fp = fopen(path, "r")) == NULL)
			fail_msg("%s: cannot open", path);
		x = PEM_read_X509(fp, NULL, NULL, NULL);
		fclose(fp);
		assert_non_null(x);
		assert_true(X509_digest(x, EVP_sha1(), md, &mdlen));
		for (j = 0; j < mdlen; j++)
			snprintf(hex + 2 * j, 3, "%02X", md[j]);
		assert_string_equal(hex, roots[i].sha1);

		s = dn_name_to_windows(X509_get_subject_name(x), &len);
		expect_bytes(s, len, roots[i].subject,
			     strlen(roots[i].subject));
		free(s);
		s = dn_name_to_windows(X509_get_issuer_name(x), &len);
		expect_bytes(s, len, roots[i].subject,
			     strlen(roots[i].subject));
		free(s);
		X509_free(x);
	}
}

/* Every key of certbind(1) CERTIFICATE FIELDS, and an OID outside the table. */
static void
test_keys(void **state)
{
	static const struct {
		const char *oid, *want;
	} t[] = {
	    {"550403", "CN=v"},
	    {"550404", "SN=v"},
	    {"550405", "SERIALNUMBER=v"},
	    {"550406", "C=v"},
	    {"550407", "L=v"},
	    {"550408", "S=v"},
	    {"550409", "STREET=v"},
	    {"55040A", "O=v"},
	    {"55040B", "OU=v"},
	    {"55040C", "T=v"},
	    {"55042A", "G=v"},
	    {"55042B", "I=v"},
	    {"0992268993F22C640119", "DC=v"},
	    {"2A864886F70D010901", "E=v"},
	    {"55040D", "Description=v"},
	    {"550411", "PostalCode=v"},
	    {"550412", "POBox=v"},
	    {"550414", "Phone=v"},
	    {"550418", "X21Address=v"},
	    {"55042E", "dnQualifier=v"},
	    /* Not in the table: businessCategory, UID, unstructuredName,
	     * jurisdictionC, TPM manufacturer, 2.999. */
	    {"55040F", "OID.2.5.4.15=v"},
	    {"0992268993F22C640101", "OID.0.9.2342.19200300.100.1.1=v"},
	    {"2A864886F70D010902", "OID.1.2.840.113549.1.9.2=v"},
	    {"2B0601040182373C020103", "OID.1.3.6.1.4.1.311.60.2.1.3=v"},
	    {"6781050201", "OID.2.23.133.2.1=v"},
	    {"8837", "OID.2.999=v"},
	    {"5504", "OID.2.5.4=v"},
	    {"2803", "OID.1.0.3=v"},
	    {"00", "OID.0.0=v"},
	    /* Arc 2^64: past 64 bits. */
	    {"068280808080808080800001", "OID.0.6.18446744073709551616.1=v"},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		expect_attr(t[i].oid, "130176", t[i].want);
}

/* Quoting (certbind(1) CERTIFICATE FIELDS), one character at a time, as
 * PrintableString/UTF8. */
static void
test_quoting(void **state)
{
	static const char *cn = "550403";

	/* Each quote-forcing character inside a value. */
	expect_attr(cn, "0C03612C62", "CN=\"a,b\"");
	expect_attr(cn, "0C03612B62", "CN=\"a+b\"");
	expect_attr(cn, "0C03613D62", "CN=\"a=b\"");
	expect_attr(cn, "0C03612262", "CN=\"a\"\"b\"");
	expect_attr(cn, "0C03610A62", "CN=\"a\nb\"");
	expect_attr(cn, "0C03613C62", "CN=\"a<b\"");
	expect_attr(cn, "0C03613E62", "CN=\"a>b\"");
	expect_attr(cn, "0C03612362", "CN=\"a#b\"");
	expect_attr(cn, "0C03613B62", "CN=\"a;b\"");
	/* Not quote-forcing inside: CR, TAB, backslash, quote-like. */
	expect_attr(cn, "0C03610D62", "CN=a\rb");
	expect_attr(cn, "0C03610962", "CN=a\tb");
	expect_attr(cn, "0C03615C62", "CN=a\\b");
	expect_attr(cn, "0C0461276227", "CN=a'b'");
	expect_attr(cn, "0C026120", "CN=\"a \"");
	/* Leading or trailing ASCII white space: SP HT LF VT FF CR. */
	expect_attr(cn, "0C022061", "CN=\" a\"");
	expect_attr(cn, "0C020961", "CN=\"\ta\"");
	expect_attr(cn, "0C020B61", "CN=\"\va\"");
	expect_attr(cn, "0C020C61", "CN=\"\fa\"");
	expect_attr(cn, "0C020D61", "CN=\"\ra\"");
	expect_attr(cn, "0C02610B", "CN=\"a\v\"");
	expect_attr(cn, "0C0120", "CN=\" \"");
	expect_attr(cn, "0C010D", "CN=\"\r\"");
	/* Other white space is not ASCII white space: not quoted. */
	expect_attr(cn, "0C03C2A061",
		    "CN=\xC2\xA0"
		    "a");
	expect_attr(cn, "0C0361C285", "CN=a\xC2\x85");
	expect_attr(cn, "0C021C61",
		    "CN=\x1C"
		    "a");
	/* Empty, and every quote doubled. */
	expect_attr(cn, "0C00", "CN=\"\"");
	expect_attr(cn, "1300", "CN=\"\"");
	expect_attr(cn, "1E00", "CN=\"\"");
	expect_attr(cn, "0C0122", "CN=\"\"\"\"");
	expect_attr(cn, "0C03222222", "CN=\"\"\"\"\"\"\"\"");
	/* '#' leading a string value is quoted; a hex value is not. */
	expect_attr(cn, "0C022331", "CN=\"#1\"");
	expect_attr(cn, "0201FF", "CN=#0201FF");
}

/* Value decoding: BMP, Universal, T61, 8-bit, UTF-8 (certbind(1) CERTIFICATE
 * FIELDS). */
static void
test_decoding(void **state)
{
	static const char *o = "55040A";

	/* BMPString: BMP, a surrogate pair, lone surrogates, odd length. */
	expect_attr(o, "1E0400E920AC", "O=\xC3\xA9\xE2\x82\xAC");
	expect_attr(o, "1E04D83DDE00", "O=\xF0\x9F\x98\x80");
	expect_attr(o, "1E04D83D0041",
		    "O=\xEF\xBF\xBD"
		    "A");
	expect_attr(o, "1E04DE000041",
		    "O=\xEF\xBF\xBD"
		    "A");
	expect_attr(o, "1E02D83D", "O=\xEF\xBF\xBD");
	expect_attr(o, "1E03004100", "O=A\xEF\xBF\xBD");
	expect_attr(o, "1E02FEFF", "O=\xEF\xBB\xBF");
	/* UniversalString: astral, too large, surrogate, partial unit. */
	expect_attr(o, "1C08000000410001F600", "O=A\xF0\x9F\x98\x80");
	expect_attr(o, "1C0400110000", "O=\xEF\xBF\xBD");
	expect_attr(o, "1C040000D800", "O=\xEF\xBF\xBD");
	expect_attr(o, "1C050000004100", "O=A\xEF\xBF\xBD");
	/* T61String: UTF-8 when valid, else ISO 8859-1. */
	expect_attr(o, "1403C3A961",
		    "O=\xC3\xA9"
		    "a");
	expect_attr(o, "1402E961",
		    "O=\xC3\xA9"
		    "a");
	expect_attr(o, "1402C0AF", "O=\xC3\x80\xC2\xAF");
	expect_attr(o, "1403EDA080", "O=\xC3\xAD\xC2\xA0\xC2\x80");
	/* 8-bit string types widen byte for byte (ISO 8859-1). */
	expect_attr(o, "1302E961",
		    "O=\xC3\xA9"
		    "a");
	expect_attr(o, "1602FF61",
		    "O=\xC3\xBF"
		    "a");
	expect_attr(o, "1A0161", "O=a");
	expect_attr(o, "120131", "O=1");
	expect_attr(o, "1B0161", "O=a");
	expect_attr(o, "190161", "O=a");
	expect_attr(o, "150161", "O=a");
	/* UTF8String: as is when valid, U+FFFD per bad byte otherwise. */
	expect_attr(o, "0C04F09F9880", "O=\xF0\x9F\x98\x80");
	expect_attr(o, "0C02E961",
		    "O=\xEF\xBF\xBD"
		    "a");
	expect_attr(o, "0C02C0AF", "O=\xEF\xBF\xBD\xEF\xBF\xBD");
	/* Not a string: '#' and the hex of the whole element. */
	expect_attr(o, "170D3234303130313030303030305A",
		    "O=#170D3234303130313030303030305A");
	expect_attr(o, "A0020500", "O=#A0020500");
	expect_attr(o, "1F2001FF", "O=#1F2001FF");
	expect_attr(o, "2C03040161", "O=#2C03040161");
	expect_attr(o, "0400", "O=#");
}

/* Values are (pointer, length): NUL bytes travel through. */
static void
test_embedded_nul(void **state)
{
	expect_attr_bytes("550403", "0C03610062", "CN=a\0b", 6);
	expect_attr_bytes("550403", "1E0400610000", "CN=a\0", 5);
	expect_attr_bytes("550403", "130100", "CN=\0", 4);
	expect_attr_bytes("550403", "0C0400000000", "CN=\0\0\0\0", 7);
}

/* RDN order and multi-valued RDNs, built through OpenSSL. */
static void
test_order(void **state)
{
	X509_NAME  *n;
	const char *want;
	size_t	    len;
	char	   *s;

	assert_non_null(n = X509_NAME_new());
	assert_true(X509_NAME_add_entry_by_txt(
	    n, "DC", MBSTRING_ASC, (const unsigned char *)"com", -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_txt(n, "DC", MBSTRING_ASC,
					       (const unsigned char *)"contoso",
					       -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_txt(
	    n, "CN", MBSTRING_ASC, (const unsigned char *)"Contoso CA", -1, -1,
	    0));
	/*
	 * Appended to the previous RDN.  DER sorts a SET OF by encoding, and
	 * OU=PKI encodes shorter than CN=Contoso CA: OU comes first.
	 */
	assert_true(X509_NAME_add_entry_by_txt(
	    n, "OU", MBSTRING_ASC, (const unsigned char *)"PKI", -1, -1, -1));
	assert_true(X509_NAME_add_entry_by_txt(
	    n, "emailAddress", MBSTRING_UTF8,
	    (const unsigned char *)"ca@contoso.com", -1, -1, 0));
	s = dn_name_to_windows(n, &len);
	want = "E=ca@contoso.com, OU=PKI + CN=Contoso CA, DC=contoso, DC=com";
	expect_bytes(s, len, want, strlen(want));
	free(s);
	X509_NAME_free(n);

	/* Multi-valued RDN attributes keep their encoded order. */
	expect_hex("301C311A300B060355040B130461616161300B060355040B13047A7A"
		   "7A7A",
		   "OU=aaaa + OU=zzzz");
	expect_hex("3020311E300B060355040B130461616161300F0603550403130874"
		   "65737420312C32",
		   "OU=aaaa + CN=\"test 1,2\"");
}

/* Names larger than the on-stack RDN list; long values. */
static void
test_large(void **state)
{
	X509_NAME *n;
	char	   v[16], *want, *s, *big;
	size_t	   i, len, wlen = 0, cap = 16 * 1000;

	assert_non_null(n = X509_NAME_new());
	assert_non_null(want = malloc(cap));
	for (i = 0; i < 1000; i++) {
		snprintf(v, sizeof(v), "n%zu", i);
		assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
						       (const unsigned char *)v,
						       -1, -1, 0));
	}
	for (i = 1000; i > 0; i--)
		wlen += snprintf(want + wlen, cap - wlen, "%sCN=n%zu",
				 i == 1000 ? "" : ", ", i - 1);
	s = dn_name_to_windows(n, &len);
	expect_bytes(s, len, want, wlen);
	free(s);
	X509_NAME_free(n);
	free(want);

	/* One 100,000-byte value. */
	assert_non_null(n = X509_NAME_new());
	assert_non_null(big = malloc(100001));
	memset(big, 'x', 100000);
	big[100000] = '\0';
	assert_true(X509_NAME_add_entry_by_txt(n, "O", V_ASN1_UTF8STRING,
					       (const unsigned char *)big,
					       100000, -1, 0));
	s = dn_name_to_windows(n, &len);
	assert_non_null(s);
	assert_int_equal(len, 100002);
	assert_memory_equal(s, "O=", 2);
	assert_memory_equal(s + 2, big, 100000);
	free(s);
	free(big);
	X509_NAME_free(n);
}

/* The empty Name is the empty string, as Windows gives it. */
static void
test_empty(void **state)
{
	X509_NAME *n;
	size_t	   len = 99;
	char	  *s;

	expect_hex("3000", "");
	assert_non_null(n = X509_NAME_new());
	s = dn_name_to_windows(n, &len);
	expect_bytes(s, len, "", 0);
	free(s);
	X509_NAME_free(n);
	/* An empty RDN SET prints nothing, but keeps its separator. */
	expect_hex("30023100", "");
	expect_hex("300431003100", ", ");
	expect_hex("300E3100310A30080603550403130161", "CN=a, ");
}

/* Anything not a Name is NULL; nothing is read past the buffer. */
static void
test_malformed(void **state)
{
	static const char *bad[] = {
	    "",				  /* nothing */
	    "30",			  /* no length */
	    "3001",			  /* short */
	    "300B3109300706035504031301", /* value runs past */
	    "3017311530130603550403130C436F6D6D6F6E204E616D",
	    "300030",				/* trailing byte */
	    "3100",				/* not a SEQUENCE */
	    "3080310030300000",			/* indefinite length */
	    "30840000000531033001",		/* inner short */
	    "3089FFFFFFFFFFFFFFFFFF",		/* length too long */
	    "3084FFFFFFFF",			/* length past the buffer */
	    "30023000",				/* RDN not a SET */
	    "300431023000",			/* empty attribute */
	    "300731053003060155",		/* OID without value */
	    "3009310730050400130161",		/* type not an OID */
	    "300E310C300A06035504031301610500", /* three elements */
	    "3009310730050601001F81",		/* high tag number cut */
	};
	const char *o[1], *v[1] = {"130161"};
	size_t	    i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_hex_null(bad[i]);
	/* OIDs that are not OIDs. */
	o[0] = "";
	expect_hex_null(build_name(1, o, v));
	o[0] = "550483"; /* last byte has the high bit */
	expect_hex_null(build_name(1, o, v));
	o[0] = "55800103"; /* non-minimal subidentifier */
	expect_hex_null(build_name(1, o, v));
	o[0] = "80";
	expect_hex_null(build_name(1, o, v));
	assert_null(dn_der_to_windows(NULL, 0, NULL));
	assert_null(dn_name_to_windows(NULL, NULL));
}

/* Every truncation of a real Name is refused, never over-read. */
static void
test_truncations(void **state)
{
	unsigned char *der, *cut;
	size_t	       len, i, olen;
	char	      *s;

	der =
	    unhex("3082010F31133011060B2B0601040182373C02010313025553311B"
		  "3019060B2B0601040182373C0201020C0A57617368696E67746F6E311D30"
		  "1B060355040F131450726976617465204F7267616E697A6174696F6E3112"
		  "301006035504051309363030343133343835310B30090603550406130255"
		  "53310E300C06035504110C0539383035323113301106035504080C0A5761"
		  "7368696E67746F6E3110300E06035504070C075265646D6F6E6431183016"
		  "06035504090C0F31204D6963726F736F667420576179311E301C06035504"
		  "0A0C154D6963726F736F667420436F72706F726174696F6E310E300C0603"
		  "55040B0C054D53434F4D311A301806035504030C117777772E6D6963726F"
		  "736F66742E636F6D",
		  &len);
	for (i = 0; i < len; i++) {
		/* An exact-size copy, so ASan sees any over-read. */
		cut = malloc(i > 0 ? i : 1);
		assert_non_null(cut);
		memcpy(cut, der, i);
		s = dn_der_to_windows(cut, i, &olen);
		assert_null(s);
		free(cut);
	}
	free(der);
}

static void
test_tls_name(void **state)
{
	size_t len;
	char  *s;

	s = dn_tls_name("CN=Contoso CA, DC=contoso, DC=com", 33,
			"CN=mail.contoso.com", 19, &len);
	expect_bytes(s, len,
		     "<I>CN=Contoso CA, DC=contoso, DC=com"
		     "<S>CN=mail.contoso.com",
		     3 + 33 + 3 + 19);
	free(s);
	s = dn_tls_name("", 0, "", 0, &len);
	expect_bytes(s, len, "<I><S>", 6);
	free(s);
	s = dn_tls_name("CN=a\0b", 6, "CN=\0", 4, &len);
	expect_bytes(s, len, "<I>CN=a\0b<S>CN=\0", 16);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dotnet_vectors),
	    cmocka_unit_test(test_dotnet_whitespace),
	    cmocka_unit_test(test_dotnet_quoting),
	    cmocka_unit_test(test_dotnet_t61),
	    cmocka_unit_test(test_dotnet_nonstring),
	    cmocka_unit_test(test_mozilla_roots),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_quoting),
	    cmocka_unit_test(test_decoding),
	    cmocka_unit_test(test_embedded_nul),
	    cmocka_unit_test(test_order),
	    cmocka_unit_test(test_large),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_truncations),
	    cmocka_unit_test(test_tls_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
