/*
 * Copied unchanged (below this comment) from ../shared/bench/floor.c, the
 * floor reference of issue 6, so that `make bench` does not depend on
 * ../shared at run time.
 */
/* floor: the physical floor for a store lister: read every PEM file of a folder
 * (or one bundle), base64-decode each certificate block, SHA-1 the DER and
 * parse only its subject name (d2i_X509_NAME on the DER walked with
 * ASN1_get_object); no full X509 decode. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/asn1.h>
#include <openssl/x509.h>

static const char B[] = "-----BEGIN CERTIFICATE-----",
		  E[] = "-----END CERTIFICATE-----";

static void
cert(const unsigned char *der, long len)
{
	unsigned char md[20];
	SHA1(der, len, md);
	/* Certificate ::= SEQ { tbs SEQ { [0] version, serial, sigalg, issuer,
	 * validity, subject ... } } */
	const unsigned char *p = der;
	long		     l;
	int		     tag, cls;
	ASN1_get_object(&p, &l, &tag, &cls, len); /* Certificate */
	ASN1_get_object(&p, &l, &tag, &cls, len); /* tbs */
	const unsigned char *q = p;
	for (int i = 0; i < 6; i++) {
		const unsigned char *s = q;
		ASN1_get_object(&q, &l, &tag, &cls, len);
		if (i == 0 && cls != V_ASN1_CONTEXT_SPECIFIC) {
			q = s;
			i = 1;
			ASN1_get_object(&q, &l, &tag, &cls, len);
		}
		if (i == 5) {
			const unsigned char *n = s;
			X509_NAME *nm = d2i_X509_NAME(NULL, &n, (q - s) + l);
			char	   buf[512];
			X509_NAME_oneline(nm, buf, sizeof buf);
			char hex[41];
			for (int k = 0; k < 20; k++)
				sprintf(hex + 2 * k, "%02X", md[k]);
			printf("%s\t%s\n", hex, buf);
			X509_NAME_free(nm);
			return;
		}
		q += l;
	}
}

static void
one(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *t = malloc(n + 1);
	n = fread(t, 1, n, f);
	t[n] = 0;
	fclose(f);
	unsigned char *der = malloc(n);
	for (char *s = t; (s = strstr(s, B));) {
		s += sizeof B - 1;
		char *e = strstr(s, E);
		if (!e)
			break;
		EVP_ENCODE_CTX *c = EVP_ENCODE_CTX_new();
		int		o1, o2;
		EVP_DecodeInit(c);
		EVP_DecodeUpdate(c, der, &o1, (unsigned char *)s, e - s);
		EVP_DecodeFinal(c, der + o1, &o2);
		EVP_ENCODE_CTX_free(c);
		cert(der, o1 + o2);
		s = e;
	}
	free(der);
	free(t);
}

int
main(int argc, char **argv)
{
	for (int a = 1; a < argc; a++) {
		struct stat st;
		if (stat(argv[a], &st) || !S_ISDIR(st.st_mode)) {
			one(argv[a]);
			continue;
		}
		DIR	      *d = opendir(argv[a]);
		struct dirent *e;
		char	       p[4096];
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof p, "%s/%s", argv[a], e->d_name);
			one(p);
		}
		if (d)
			closedir(d);
	}
	return 0;
}
