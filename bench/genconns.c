/*
 * genconns: makes a connector configuration (certbind-connectors(5)) for
 * `make bench`, to go with a store made by gencerts:
 *
 *	genconns OUTFILE NCONN NCERTS bound|empty
 *
 * bound: connector i has Fqdn mail.hostK.bench.example and the TLS name
 * of gencerts' leaf K, K = i mod NCERTS (what validate reads); empty:
 * every connector has Fqdn mail.host000000.bench.example and an empty
 * TlsCertificateName (what bind fills in).  Each connector carries the
 * other fields of an Exchange receive connector, so the file has the
 * size of a real export.  A bench tool: it exits on the first error.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	FILE *f;
	long  nconn, ncerts, i, k;
	int   bound;

	if (argc != 5 || (nconn = strtol(argv[2], NULL, 10)) < 1 ||
	    (ncerts = strtol(argv[3], NULL, 10)) < 1 ||
	    (strcmp(argv[4], "bound") != 0 && strcmp(argv[4], "empty") != 0))
		errx(64, "usage: genconns OUTFILE NCONN NCERTS bound|empty");
	bound = strcmp(argv[4], "bound") == 0;
	if ((f = fopen(argv[1], "w")) == NULL)
		err(1, "%s", argv[1]);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<ReceiveConnectors>\n");
	for (i = 0; i < nconn; i++) {
		k = bound ? i % ncerts : 0;
		fprintf(f,
			"  <ReceiveConnector>\n"
			"    <Server>MBX%03ld</Server>\n"
			"    <Name>Client Frontend %06ld</Name>\n"
			"    <TransportRole>FrontendTransport</TransportRole>\n"
			"    <Bindings><Binding>0.0.0.0:587</Binding>"
			"<Binding>[::]:587</Binding></Bindings>\n"
			"    <AuthMechanism>Tls, BasicAuth, "
			"BasicAuthRequireTLS</AuthMechanism>\n"
			"    <Fqdn>mail.host%06ld.bench.example</Fqdn>\n",
			i % 1000, i, k);
		if (bound)
			fprintf(f,
				"    <TlsCertificateName>&lt;I&gt;CN=Bench "
				"Root CA, O=Bench Org, C=US&lt;S&gt;"
				"CN=host%06ld.bench.example, O=Bench Org, "
				"S=WA, C=US</TlsCertificateName>\n",
				k);
		else
			fprintf(f, "    <TlsCertificateName></"
				   "TlsCertificateName>\n");
		fprintf(f, "    <AdvertiseClientSettings>false"
			   "</AdvertiseClientSettings>\n"
			   "    <PermissionGroups>ExchangeUsers"
			   "</PermissionGroups>\n"
			   "    <MaxMessageSize>36 MB (37,748,736 bytes)"
			   "</MaxMessageSize>\n"
			   "    <ProtocolLoggingLevel>Verbose"
			   "</ProtocolLoggingLevel>\n"
			   "    <Enabled>true</Enabled>\n"
			   "  </ReceiveConnector>\n");
	}
	fprintf(f, "</ReceiveConnectors>\n");
	if (ferror(f) || fclose(f) == EOF)
		errx(1, "%s: write error", argv[1]);
	return 0;
}
