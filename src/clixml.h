/*
 * clixml: PowerShell's CLIXML (Export-Clixml) read into a small model,
 * for the store (Get-ExchangeCertificate's RawData) and for importing
 * connectors.  The shapes understood are those of doc/clixml.md; the
 * input is hostile (certbind(1) THE STORE): UTF-16 or UTF-8 checked
 * strictly and converted by us, no document type declaration, no
 * entities but XML's five, no network, nesting, object count and
 * decoded byte arrays bounded.
 */
#ifndef CLIXML_H
#define CLIXML_H

#include <stddef.h>

/* Bounds on what a document may hold: see doc/clixml.md. */
#define CLIXML_MAX_INPUT  (64UL * 1024 * 1024) /* bytes, as given */
#define CLIXML_MAX_DEPTH  64		       /* nested elements */
#define CLIXML_MAX_VALUES 2000000UL	       /* values and objects */
#define CLIXML_MAX_BA	  (4UL * 1024 * 1024)  /* one <BA>, decoded */

enum clixml_kind {
	CLIXML_NIL,   /* <Nil/> */
	CLIXML_STR,   /* <S>, numbers, <DT>, <G>, ...; <B> as True/False */
	CLIXML_BYTES, /* <BA>: s and len are the decoded bytes */
	CLIXML_LIST,  /* an <Obj> holding <LST>, <IE>, <STK> or <QUE> */
	CLIXML_OBJ    /* any other <Obj>: s is its ToString, or NULL */
};

struct clixml_obj;

/*
 * One value.  For CLIXML_STR and CLIXML_BYTES, s holds len bytes and a
 * NUL after them (a string may hold NULs itself: _x0000_).  For
 * CLIXML_LIST and CLIXML_OBJ, s is NULL and obj is the object, with its
 * text and items: a <Ref> gives the object it names, so objects may be
 * shared, and even reached again from inside themselves (walk them
 * with a bound).  Everything is owned by the document.
 */
struct clixml_val {
	enum clixml_kind	 kind;
	const char		*tag; /* element name: "S", "I32", "Obj", ... */
	char			*s;
	size_t			 len;
	int			 is_bool; /* <B>: b is 0 or 1 */
	int			 b;
	const struct clixml_obj *obj;
	long			 line;
};

/* A named property: from <Props>, <MS>, or a <DCT> entry's key. */
struct clixml_prop {
	char		 *name; /* UTF-8, _xHHHH_ decoded */
	size_t		  namelen;
	struct clixml_val v;
};

struct clixml_obj {
	char *const *types; /* <TN>'s <T>s (through <TNRef>) */
	size_t	     ntypes;
	char	    *text; /* <ToString>, else its primitive content
			      (an enum's <I32>), else NULL */
	size_t		    textlen;
	struct clixml_prop *props; /* <Props>, then <MS>, then <DCT> */
	size_t		    nprops;
	struct clixml_val  *items; /* <LST>, <IE>, <STK>, <QUE> */
	size_t		    nitems;
	int		    is_list;
	long		    line;
};

/* The document: its top-level <Obj>s in order (other values skipped). */
struct clixml_doc {
	struct clixml_obj **objs;
	size_t		    nobjs;
	/* Internal: every object, type list and reference, for freeing. */
	struct clixml_obj **all;
	size_t		    nall, capall;
	struct clixml_tn   *tns;
	size_t		    ntns, captns;
	size_t		    nvalues;
};

/*
 * Why a parse failed: the line (0 when none applies) and a message in
 * house style (lower case, no full stop), one line: a control character
 * in text it quotes from the document is shown as "?".  nomem is set when
 * memory ran out rather than the input being wrong.
 */
struct clixml_err {
	long line;
	int  nomem;
	char msg[256];
};

/*
 * 1 when (buf, len), the start of a file, looks like CLIXML: a byte
 * order mark (UTF-16LE, UTF-16BE or UTF-8) or none, an optional XML
 * declaration, comments and white space, then "<Objs".  Used by the
 * store to sniff files; says nothing of whether the rest parses.
 */
int clixml_sniff(const unsigned char *buf, size_t len);

/*
 * Parses a whole document (buf, len).  Returns the document (free with
 * clixml_free), or NULL with err filled in.
 */
struct clixml_doc *clixml_parse(const unsigned char *buf, size_t len,
				struct clixml_err *err);

void clixml_free(struct clixml_doc *);

/*
 * The decoder clixml_parse uses, for the other formats PowerShell
 * writes (import's JSON and CSV): (buf, len) in UTF-16LE or BE after
 * their byte order mark, or UTF-8 with or without one, checked
 * strictly (doc/clixml.md, Encodings) and converted to UTF-8.  After a
 * UTF-16 byte order mark the first character must be white space or
 * one of the ASCII characters in first.  Returns a new NUL-terminated
 * buffer (caller frees) and its length in *outlen, or NULL with err
 * filled in (initialised here).
 */
char *clixml_decode(const unsigned char *buf, size_t len, const char *first,
		    size_t *outlen, struct clixml_err *err);

/*
 * The property of o named name (ASCII case-insensitive, as PowerShell
 * compares), the first when there are several; NULL when none.
 */
const struct clixml_prop *clixml_get(const struct clixml_obj *o,
				     const char		     *name);

/*
 * 1 when o is of type name, as itself or as its "Deserialized." form
 * (what remoting and Import-Clixml give), anywhere in its type list.
 */
int clixml_is_type(const struct clixml_obj *o, const char *name);

/*
 * A value's text: a string's, or an object's ToString; NULL for Nil,
 * bytes, and an object without text.  The length goes to *len.
 */
const char *clixml_text(const struct clixml_val *v, size_t *len);

#endif
