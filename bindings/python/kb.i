/*
 * libpowercrm - SWIG interface of the knowledge base (kb.h), %included at the
 * end of powercrm.i, whose rules (status results, owned outputs) apply here.
 *
 * What needs more than those rules:
 *   - a query holds strings: built by a constructor that copies them into
 *     one allocation with the struct, like the call-record filter;
 *   - the article ids of pcrm_kb_contact_link(): a Python sequence of str.
 */

PCRM_OWNED_OUT(pcrm_kb_article, pcrm_kb_article_free)
PCRM_OWNED_OUT(pcrm_kb_hit_list, pcrm_kb_hit_list_free)
PCRM_OWNED_OUT(pcrm_kb_stats, pcrm_kb_stats_free)

/* Values, not statuses. */
%typemap(out) int pcrm_kb_article_version, int pcrm_kb_hit_version
	"$result = PyLong_FromLong((long)$1);"

%typemap(in, noblock=1) (const char *const *article_ids, size_t n)
	(PyObject *fast = NULL, const char **ids = NULL) {
	fast = PySequence_Fast($input, "article_ids: expected a sequence of str");
	if (!fast)
		SWIG_fail;
	$2 = (size_t)PySequence_Fast_GET_SIZE(fast);
	ids = (const char **)calloc($2 ? $2 : 1, sizeof(*ids));
	if (!ids) {
		PyErr_NoMemory();
		SWIG_fail;
	}
	for (size_t i_ = 0; i_ < $2; i_++) {
		PyObject *s_ = PySequence_Fast_GET_ITEM(fast, (Py_ssize_t)i_);
		if (!PyUnicode_Check(s_) || !(ids[i_] = PyUnicode_AsUTF8(s_))) {
			PyErr_Format(PyExc_TypeError, "article_ids[%zu]: expected a str", i_);
			SWIG_fail;
		}
	}
	$1 = ($1_ltype)ids;
}
%typemap(freearg, noblock=1) (const char *const *article_ids, size_t n) {
	free(ids$argnum);
	Py_XDECREF(fast$argnum);
}

%immutable pcrm_kb_query::version;
%immutable pcrm_kb_query::category;
%immutable pcrm_kb_query::keywords;
%immutable pcrm_kb_query::match;
%immutable pcrm_kb_query::text;
%immutable pcrm_kb_query::limit;
%feature("nothreadallow") pcrm_kb_query::pcrm_kb_query;
%feature("nothreadallow") pcrm_kb_query::~pcrm_kb_query;
%extend pcrm_kb_query {
	pcrm_kb_query(const char *category = NULL, const char *keywords = NULL, int match = 0,
	              const char *text = NULL, int limit = 0)
	{
		size_t total = (category ? strlen(category) + 1 : 0) +
		               (keywords ? strlen(keywords) + 1 : 0) + (text ? strlen(text) + 1 : 0);
		pcrm_kb_query *q = (pcrm_kb_query *)malloc(sizeof(*q) + total);
		char *p;
		if (!q)
			return NULL;
		p = (char *)(q + 1);
		q->version = PCRM_KB_QUERY_VERSION;
		q->category = pcrm_py_pack(&p, category);
		q->keywords = pcrm_py_pack(&p, keywords);
		q->match = (pcrm_kb_match)match;
		q->text = pcrm_py_pack(&p, text);
		q->limit = limit;
		return q;
	}
	~pcrm_kb_query() { free($self); }
}

%include "powercrm/kb.h"
