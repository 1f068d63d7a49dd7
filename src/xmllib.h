/*
 * xmllib: libxml2, opened with dlopen(3) the first time a command reads
 * or writes XML rather than by the dynamic loader at start-up.  libxml2
 * brings ICU and libstdc++ with it, and loading those is about 3 ms, a
 * quarter of a one-certificate `list` that reads no configuration.
 * The library is still the system's shared libxml2 (its security
 * updates apply), and the compiler still checks every call against
 * libxml2's own prototypes: each pointer has the type of the function
 * it stands for.
 *
 * A file that calls libxml2 includes this header instead of libxml2's;
 * the macros at the end send each call through the table.  Every entry
 * point must call xmllib_open first and give up when it fails; a call
 * before that is a NULL pointer dereference.
 */
#ifndef XMLLIB_H
#define XMLLIB_H

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>
#include <libxml/xmlwriter.h>

/* Every libxml2 function certbind calls. */
#define XMLLIB_FUNCS(X)                                                        \
	X(xmlBufferContent)                                                    \
	X(xmlBufferCreate)                                                     \
	X(xmlBufferFree)                                                       \
	X(xmlBufferLength)                                                     \
	X(xmlCreatePushParserCtxt)                                             \
	X(xmlCtxtReadMemory)                                                   \
	X(xmlCtxtUseOptions)                                                   \
	X(xmlDocGetRootElement)                                                \
	X(xmlEncodeSpecialChars)                                               \
	X(xmlFreeDoc)                                                          \
	X(xmlFreeNode)                                                         \
	X(xmlFreeParserCtxt)                                                   \
	X(xmlFreeTextWriter)                                                   \
	X(xmlGetLineNo)                                                        \
	X(xmlInitParser)                                                       \
	X(xmlNewParserCtxt)                                                    \
	X(xmlNewTextWriterMemory)                                              \
	X(xmlNodeGetContent)                                                   \
	X(xmlParseChunk)                                                       \
	X(xmlRelaxNGFree)                                                      \
	X(xmlRelaxNGFreeParserCtxt)                                            \
	X(xmlRelaxNGFreeValidCtxt)                                             \
	X(xmlRelaxNGNewMemParserCtxt)                                          \
	X(xmlRelaxNGNewValidCtxt)                                              \
	X(xmlRelaxNGParse)                                                     \
	X(xmlRelaxNGSetValidStructuredErrors)                                  \
	X(xmlRelaxNGValidateDoc)                                               \
	X(xmlSAX2EndElementNs)                                                 \
	X(xmlSAX2StartElementNs)                                               \
	X(xmlSetGenericErrorFunc)                                              \
	X(xmlSetStructuredErrorFunc)                                           \
	X(xmlStopParser)                                                       \
	X(xmlStrcasecmp)                                                       \
	X(xmlTextWriterEndDocument)                                            \
	X(xmlTextWriterEndElement)                                             \
	X(xmlTextWriterSetIndent)                                              \
	X(xmlTextWriterStartDocument)                                          \
	X(xmlTextWriterStartElement)                                           \
	X(xmlTextWriterWriteAttribute)                                         \
	X(xmlTextWriterWriteFormatElement)                                     \
	X(xmlUnlinkNode)

struct xmllib {
#define X(f) __typeof__(f) *f;
	XMLLIB_FUNCS(X)
#undef X
	xmlFreeFunc *xmlFree; /* libxml2's variable, not a function */
};

extern struct xmllib xmllib;

/*
 * Opens libxml2 once per process (later calls return the first
 * answer).  Returns 0, or -1 with *why a static message naming the
 * library.
 */
int xmllib_open(const char **why);

#ifndef XMLLIB_NO_MACROS
#define xmlBufferContent	   (*xmllib.xmlBufferContent)
#define xmlBufferCreate		   (*xmllib.xmlBufferCreate)
#define xmlBufferFree		   (*xmllib.xmlBufferFree)
#define xmlBufferLength		   (*xmllib.xmlBufferLength)
#define xmlCreatePushParserCtxt	   (*xmllib.xmlCreatePushParserCtxt)
#define xmlCtxtReadMemory	   (*xmllib.xmlCtxtReadMemory)
#define xmlCtxtUseOptions	   (*xmllib.xmlCtxtUseOptions)
#define xmlDocGetRootElement	   (*xmllib.xmlDocGetRootElement)
#define xmlEncodeSpecialChars	   (*xmllib.xmlEncodeSpecialChars)
#define xmlFreeDoc		   (*xmllib.xmlFreeDoc)
#define xmlFreeNode		   (*xmllib.xmlFreeNode)
#define xmlFreeParserCtxt	   (*xmllib.xmlFreeParserCtxt)
#define xmlFreeTextWriter	   (*xmllib.xmlFreeTextWriter)
#define xmlGetLineNo		   (*xmllib.xmlGetLineNo)
#define xmlInitParser		   (*xmllib.xmlInitParser)
#define xmlNewParserCtxt	   (*xmllib.xmlNewParserCtxt)
#define xmlNewTextWriterMemory	   (*xmllib.xmlNewTextWriterMemory)
#define xmlNodeGetContent	   (*xmllib.xmlNodeGetContent)
#define xmlParseChunk		   (*xmllib.xmlParseChunk)
#define xmlRelaxNGFree		   (*xmllib.xmlRelaxNGFree)
#define xmlRelaxNGFreeParserCtxt   (*xmllib.xmlRelaxNGFreeParserCtxt)
#define xmlRelaxNGFreeValidCtxt	   (*xmllib.xmlRelaxNGFreeValidCtxt)
#define xmlRelaxNGNewMemParserCtxt (*xmllib.xmlRelaxNGNewMemParserCtxt)
#define xmlRelaxNGNewValidCtxt	   (*xmllib.xmlRelaxNGNewValidCtxt)
#define xmlRelaxNGParse		   (*xmllib.xmlRelaxNGParse)
#define xmlRelaxNGSetValidStructuredErrors                                     \
	(*xmllib.xmlRelaxNGSetValidStructuredErrors)
#define xmlRelaxNGValidateDoc	    (*xmllib.xmlRelaxNGValidateDoc)
#define xmlSAX2EndElementNs	    (*xmllib.xmlSAX2EndElementNs)
#define xmlSAX2StartElementNs	    (*xmllib.xmlSAX2StartElementNs)
#define xmlSetGenericErrorFunc	    (*xmllib.xmlSetGenericErrorFunc)
#define xmlSetStructuredErrorFunc   (*xmllib.xmlSetStructuredErrorFunc)
#define xmlStopParser		    (*xmllib.xmlStopParser)
#define xmlStrcasecmp		    (*xmllib.xmlStrcasecmp)
#define xmlTextWriterEndDocument    (*xmllib.xmlTextWriterEndDocument)
#define xmlTextWriterEndElement	    (*xmllib.xmlTextWriterEndElement)
#define xmlTextWriterSetIndent	    (*xmllib.xmlTextWriterSetIndent)
#define xmlTextWriterStartDocument  (*xmllib.xmlTextWriterStartDocument)
#define xmlTextWriterStartElement   (*xmllib.xmlTextWriterStartElement)
#define xmlTextWriterWriteAttribute (*xmllib.xmlTextWriterWriteAttribute)
#define xmlTextWriterWriteFormatElement                                        \
	(*xmllib.xmlTextWriterWriteFormatElement)
#define xmlUnlinkNode (*xmllib.xmlUnlinkNode)
#define xmlFree	      (*xmllib.xmlFree)
#endif

#endif
